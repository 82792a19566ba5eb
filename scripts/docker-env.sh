#!/usr/bin/env bash
# Sourced by scripts/test-all.sh and .ci/run: exports DOCKER, DOCKER_BUILD, COMPOSE
# from the one detection (scripts/docker-tools.cjs): docker from PATH unless DOCKER
# names one, BuildKit through its buildx plugin, `docker compose` v2.
eval "$(node "$(dirname "${BASH_SOURCE[0]}")/docker-tools.cjs" env)"
