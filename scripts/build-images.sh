#!/usr/bin/env bash
# Builds every service image through Nx; an image whose content-hash tag the
# engine already holds is skipped. Without a registry, first run
# scripts/offline-bases.sh and export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx nx run-many -t docker-build --parallel=2 "$@"
