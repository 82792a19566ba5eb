#!/usr/bin/env bash
# Removes what an interrupted pod-runner run left behind (containers, volumes, networks
# labelled e2e-k8s.run). Only objects with that label are touched.
set -euo pipefail
eval "$(node "$(dirname "$0")/../../scripts/docker-tools.cjs" env)"
d=$DOCKER
ids=$($d ps -aq --filter label=e2e-k8s.run); [ -z "$ids" ] || $d rm -f $ids >/dev/null
vols=$($d volume ls -q --filter label=e2e-k8s.run); [ -z "$vols" ] || $d volume rm -f $vols >/dev/null
nets=$($d network ls -q --filter label=e2e-k8s.run); [ -z "$nets" ] || $d network rm $nets >/dev/null
echo "e2e-k8s: removed $(echo $ids | wc -w) containers, $(echo $vols | wc -w) volumes, $(echo $nets | wc -w) networks"
