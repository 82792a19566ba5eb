#!/usr/bin/env bash
# Sourced by scripts/test-all.sh and .ci/run: exports DOCKER, DOCKER_BUILD, COMPOSE
# from the one detection (scripts/docker-tools.cjs). Docker from PATH unless DOCKER
# names one; a client that needs buildx but lacks it cannot build with BuildKit, so
# then Debian's 20.10 client (docker.io), which builds with DOCKER_BUILDKIT=1, goes first.
if [ -z "${DOCKER:-}" ] && ! docker buildx version >/dev/null 2>&1 && [ -x /usr/bin/docker ] \
   && [ "$(/usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)" -lt 23 ] 2>/dev/null; then
  export DOCKER=/usr/bin/docker
fi
eval "$(node "$(dirname "${BASH_SOURCE[0]}")/docker-tools.cjs" env)"
