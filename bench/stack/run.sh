#!/usr/bin/env bash
# Two modes.
#   bench/stack/run.sh                 load check on an already running compose stack:
#     GET /api/todos through the frontend and on the backend, 3 runs each, medians printed.
#     Env: FRONTEND_URL, BACKEND_URL, RUNS, DURATION, CONNECTIONS.
#   bench/stack/run.sh --compare [--base REV] [--runs 3] [--duration 10]
#     brings up the base commit's images and the working tree's one after the other (own
#     compose project names, fixed host ports, so under the shared lock) and prints absolute
#     figures and new/base ratios: up times, GET, POST->PATCH->DELETE cycles (wrk and node:http),
#     50 parallel PATCHes.
#     Both revisions' images are built first, outside the lock, each from a checkout of its
#     revision (the base in a detached git worktree, BENCH_BASE_CHECKOUT or /tmp/bench-base-<sha>);
#     on stand-in bases they run under the refs built here, never under the official ones.
#     Env: TODO_IMAGE_MIRRORS (stand-in base images), PIP_INDEX_URL, BENCH_PROJECT, BENCH_LOCK.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ "${1:-}" == "--compare" ]]; then
  shift
  command -v wrk >/dev/null || { echo "wrk not found (the cycles load): apt-get install -y wrk" >&2; exit 2; }
  source scripts/docker-env.sh
  node bench/stack/compare.mjs --prepare "$@"
  exec flock "${BENCH_LOCK:-/tmp/docker-stack.lock}" node bench/stack/compare.mjs "$@"
fi
frontend="${FRONTEND_URL:-http://127.0.0.1:3000}"
backend="${BACKEND_URL:-http://127.0.0.1:8000}"
args=(--runs "${RUNS:-3}" --duration "${DURATION:-10}" --connections "${CONNECTIONS:-10}")
for url in "$frontend/api/health" "$backend/ready"; do
  curl -fsS -o /dev/null --max-time 5 "$url" || { echo "bench/stack: $url does not answer 2xx; start the stack first (docs/operations.md)" >&2; exit 2; }
done
status=0
echo "frontend -> backend -> postgres:"
node bench/stack/load.mjs "$frontend/api/todos" "${args[@]}" || status=1
echo "backend -> postgres:"
node bench/stack/load.mjs "$backend/api/todos" "${args[@]}" || status=1
exit $status
