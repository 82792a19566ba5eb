#!/usr/bin/env bash
# Makes a Docker engine available: installs Debian's docker.io when missing, starts
# dockerd in the background when no engine answers. Compose v2 and buildx are CLI
# plugins (scripts/docker-plugins.sh).
# Machines without a registry have no engine at start (see README "Air-gapped").
set -euo pipefail
DOCKER=${DOCKER:-docker}  # the client the other scripts use (scripts/docker-tools.cjs)

if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing docker.io debootstrap" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if "$DOCKER" info >/dev/null 2>&1; then
  exit 0
fi

echo "ensure-docker: starting dockerd" >&2
nohup dockerd >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if [ -S /var/run/docker.sock ] && "$DOCKER" info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "ensure-docker: dockerd did not answer within 60 s; see /var/log/dockerd.log" >&2
tail -20 /var/log/dockerd.log >&2 || true
exit 1
