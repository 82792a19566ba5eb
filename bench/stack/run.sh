#!/usr/bin/env bash
# Re-runnable load check on an already running compose stack (e.g. `docker-compose -f docker/docker-compose.yml up -d`).
# GET /api/todos through the frontend and directly on the backend, 3 runs each, medians printed.
# Env: FRONTEND_URL (default http://127.0.0.1:3000), BACKEND_URL (default http://127.0.0.1:8000), RUNS, DURATION, CONNECTIONS.
set -euo pipefail
cd "$(dirname "$0")/../.."
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
