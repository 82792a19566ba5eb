#!/usr/bin/env bash
# Load test of GET /api/todos: throwaway PostgreSQL, 50 seeded todos, the
# server as the image starts it (python -m todo_api.serve) pinned to one CPU
# with one worker, wrk at concurrency 10 for 10 s, three runs, medians printed.
# Env: BENCH_WORKERS (1), BENCH_CPUS (taskset list, "0"; empty = no pinning).
# Everything started here is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BACKEND="$ROOT/apps/backend"
HERE="$ROOT/bench/api"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-10}"
RUNS="${BENCH_RUNS:-3}"
SEED="${BENCH_SEED:-50}"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
"$BACKEND/scripts/install.sh" >/dev/null
PY="$BACKEND/.venv/bin/python"

pg_dir="" uvicorn_pid="" log="$(mktemp)"
cleanup() {
  [[ -n "$uvicorn_pid" ]] && kill "$uvicorn_pid" 2>/dev/null && wait "$uvicorn_pid" 2>/dev/null || true
  [[ -n "$pg_dir" ]] && "$PY" "$BACKEND/tests/pg_throwaway.py" stop "$pg_dir" || true
  rm -f "$log"
}
trap cleanup EXIT INT TERM

read -r DATABASE_URL pg_dir < <("$PY" "$BACKEND/tests/pg_throwaway.py" start)
export DATABASE_URL PYTHONPATH="$BACKEND/src" LOG_LEVEL=WARNING
unset OPENAI_API_KEY
"$PY" -m todo_api.migrate 2>/dev/null

port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pin=()
[[ -n "${BENCH_CPUS-0}" ]] && command -v taskset >/dev/null && pin=(taskset -c "${BENCH_CPUS-0}")
HOST=127.0.0.1 PORT="$port" WEB_CONCURRENCY="${BENCH_WORKERS:-1}" \
  "${pin[@]}" "$PY" -m todo_api.serve >"$log" 2>&1 &
uvicorn_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fsS "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$uvicorn_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$base/ready" >/dev/null

for n in $(seq "$SEED"); do
  curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d "{\"title\":\"benchmark todo $n\",\"description\":\"seeded by bench/api/run.sh\"}" \
    "$base/api/todos"
done
echo "seeded $(curl -fsS "$base/api/todos?limit=1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])') todos; GET $base/api/todos (20 per page)"

wrk -t1 -c"$CONNECTIONS" -d2s "$base/api/todos" >/dev/null  # warm-up, not counted
results=()
# CPU time the server spent per request: unlike req/s, barely moved by other load on the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$uvicorn_pid/stat"; }
for run in $(seq "$RUNS"); do
  before="$(cpu_ticks)"
  line="$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$HERE/report.lua" \
    "$base/api/todos" | grep '^RESULT')"
  requests="$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")"
  cpu_ms="$(awk -v t="$(( $(cpu_ticks) - before ))" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.3f", t * 1000 / hz / (n ? n : 1) }')"
  line="$line cpu_ms_per_request=$cpu_ms"
  echo "run $run: ${line#RESULT }"
  results+=("$line")
done

printf '%s\n' "${results[@]}" | "$PY" -c '
import statistics, sys
runs = [dict(kv.split("=") for kv in line.split()[1:]) for line in sys.stdin]
med = {k: statistics.median(float(r[k]) for r in runs) for k in ("p50_ms", "p99_ms", "rps", "cpu_ms_per_request")}
errors = sum(int(r["errors"]) for r in runs)
print("median of %d runs: p50=%.2f ms  p99=%.2f ms  requests/s=%.1f  errors=%d  server CPU per request=%.3f ms (%.0f req/s per CPU)"
      % (len(runs), med["p50_ms"], med["p99_ms"], med["rps"], errors, med["cpu_ms_per_request"], 1000 / med["cpu_ms_per_request"]))
sys.exit(1 if errors else 0)
'
