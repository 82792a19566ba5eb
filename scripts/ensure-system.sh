#!/usr/bin/env bash
# System prerequisites of the full test suite on a fresh Debian machine:
# Docker engine, debootstrap (air-gapped base images), busybox, wget, curl,
# Debian's chromium (browser tests), wrk (load checks), PostgreSQL 15 server
# binaries (throwaway test databases); the Compose v2 and buildx CLI plugins
# (scripts/docker-plugins.sh: kept when the client has them at the pinned version
# or newer, else built from their Go modules). Then a running dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# The compose health checks' HTTP clients, run for real by libs/compose (busybox: alpine's wget).
command -v busybox >/dev/null 2>&1 || need+=(busybox)
command -v wget >/dev/null 2>&1 || need+=(wget)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v git >/dev/null 2>&1 || need+=(git)
# The local cluster (tools/local-cluster) and kube-router set iptables rules; ip, nsenter for its clean-up.
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
# Backend and browser tests start throwaway PostgreSQL servers from these binaries.
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-system: missing ${need[*]}; install them: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "ensure-system: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
scripts/docker-plugins.sh
exec scripts/ensure-docker.sh
