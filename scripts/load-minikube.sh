#!/usr/bin/env bash
# Loads the todo-* images that the minikube manifests reference into minikube,
# so imagePullPolicy IfNotPresent finds them without a registry.
#   scripts/load-minikube.sh [--dry-run] [--dir dist/k8s/minikube]
# --dry-run prints the image refs, one a line, and loads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=0
dir=dist/k8s/minikube
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --dir) dir="${2:?--dir needs a directory}"; shift ;;
    *) echo "load-minikube: unknown argument '$1'; use --dry-run and/or --dir DIR" >&2; exit 2 ;;
  esac
  shift
done

shopt -s nullglob
manifests=("$dir"/*.yaml)
if [ ${#manifests[@]} -eq 0 ]; then
  echo "load-minikube: no manifests in $dir; run 'npx nx run infra:synth' first" >&2
  exit 1
fi
# `image:` values whose repository (last path part) starts with todo-; quotes stripped.
mapfile -t refs < <(sed -nE "s/^[[:space:]-]*image:[[:space:]]*[\"']?([^\"'[:space:]]+).*/\1/p" "${manifests[@]}" \
  | grep -E '(^|/)todo-[a-z0-9.-]+(:|@)' | sort -u)
if [ ${#refs[@]} -eq 0 ]; then
  echo "load-minikube: no todo-* image in $dir/*.yaml" >&2
  exit 1
fi
if [ "$dry_run" = 1 ]; then printf '%s\n' "${refs[@]}"; exit 0; fi

command -v minikube >/dev/null || { echo "load-minikube: minikube is not installed" >&2; exit 1; }
eval "$(node scripts/docker-tools.cjs env)"  # DOCKER: $DOCKER, else docker from PATH
for ref in "${refs[@]}"; do
  if ! "$DOCKER" image inspect "$ref" >/dev/null 2>&1; then
    echo "load-minikube: $ref is not in the local engine; run scripts/build-images.sh" >&2
    exit 1
  fi
  echo "load-minikube: loading $ref"
  minikube image load "$ref"
done
