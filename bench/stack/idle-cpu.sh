#!/usr/bin/env bash
# The machine's busy CPU while the todo stack runs idle: only its health checks (and the
# engine running them) work. Brings the stack up (stand-in images under TODO_IMAGE_MIRRORS, as
# docs/operations.md "Machines without a registry" does), waits until every service is
# healthy, then samples /proc/stat for SAMPLES x SECONDS and prints ms of CPU per second of
# wall time (user + nice + system + irq + softirq + steal, both cores together), per sample
# and the median; then the same with the stack down, for the machine's own floor.
#   bench/stack/idle-cpu.sh            # SAMPLES=4 SECONDS_EACH=30
# Run it with nothing else on the machine: any other process counts too.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/docker-env.sh
SAMPLES=${SAMPLES:-4}
SECONDS_EACH=${SECONDS_EACH:-30}
project=${BENCH_PROJECT:-todo-idle-bench}
override=$(mktemp)
trap 'docker compose -p "$project" -f docker/docker-compose.yml -f "$override" down -v >/dev/null 2>&1 || true; rm -f "$override"' EXIT
cli() { node tools/run-ts.mjs apps/infra/src/cli.ts images "$@"; }
postgres=postgres:16-alpine
if [ -n "${TODO_IMAGE_MIRRORS:-}" ]; then postgres=$(node -e 'console.log(require(process.argv[1])["postgres:16-alpine"] ?? "postgres:16-alpine")' "$(realpath "$TODO_IMAGE_MIRRORS")"); fi
printf 'services:\n  postgres:\n    image: %s\n  backend:\n    image: %s\n  backend-migrate:\n    image: %s\n  frontend:\n    image: %s\n' \
  "$postgres" "$(cli ref backend)" "$(cli ref backend)" "$(cli ref frontend)" >"$override"
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
sample() {
  local tick b0 b1 out=() i
  tick=$(getconf CLK_TCK)
  for i in $(seq "$SAMPLES"); do
    b0=$(busy); sleep "$SECONDS_EACH"; b1=$(busy)
    out+=("$(( (b1 - b0) * 1000 / tick / SECONDS_EACH ))")
  done
  printf '%s\n' "${out[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "samples (ms/s):"; for (i = 1; i <= NR; i++) printf " %s", v[i]; printf "; median %s ms/s\n", m }'
}
docker compose -p "$project" -f docker/docker-compose.yml -f "$override" up -d --wait >/dev/null
sleep 10  # let start-up settle
echo "stack idle: $(sample)"
docker compose -p "$project" -f docker/docker-compose.yml -f "$override" down -v >/dev/null 2>&1
sleep 5
echo "no stack:   $(sample)"
