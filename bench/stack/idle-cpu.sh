#!/usr/bin/env bash
# The CPU the todo stack costs while it runs idle: only its health checks (and the engine
# running them) work. Two figures per sample, in ms of CPU per second of wall time:
#   - machine: /proc/stat's busy time (user + nice + system + irq + softirq + steal, both cores
#     together). It counts every process, so it means something only on a quiet machine;
#   - stack + engine: the processes in the stack's containers plus dockerd, containerd and the
#     shims, each with its reaped children (so runc and every health check's process count, once,
#     with the shim that reaped them). Other work on the machine does not count here.
# Each stack runs under stand-in images (TODO_IMAGE_MIRRORS, as docs/operations.md "Machines
# without a registry" does), built by bench/stack/images.mjs as the load compare does.
#
#   bench/stack/idle-cpu.sh                 # the working tree's stack idle, then no stack (floor)
#   bench/stack/idle-cpu.sh --base <rev>    # <rev>'s stack against the working tree's, in
#                                           # ROUNDS rounds of alternating order (base,new / new,base)
#   Env: SAMPLES (4), SECONDS_EACH (30), ROUNDS (2, --base only), BENCH_PROJECT.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/docker-env.sh
SAMPLES=${SAMPLES:-4}
SECONDS_EACH=${SECONDS_EACH:-30}
ROUNDS=${ROUNDS:-2}
project=${BENCH_PROJECT:-todo-idle-bench}
base=""
if [[ "${1:-}" == "--base" ]]; then base=${2:?"--base needs a git revision"}; fi
work=$(mktemp -d)
file=""
down() { [ -n "$file" ] && docker compose -p "$project" -f "$file" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap 'down; rm -rf "$work"' EXIT

# The compose file of a revision (WORKTREE: this checkout) with the images built here for it.
plan() {
  node --input-type=module -e '
    import { writeFileSync } from "node:fs";
    import { checkoutOf, ensureBuilt, planOf } from "./bench/stack/images.mjs";
    const [rev, out] = process.argv.slice(1);
    const p = planOf(checkoutOf(rev), rev);
    const left = ensureBuilt(p);
    if (left.length) throw new Error(`${rev}: not in the engine after the build: ${left.join(", ")}`);
    writeFileSync(out, p.yaml);
  ' "$1" "$2" >&2
}

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
attributed() {
  local c id tick pids=()
  tick=$(getconf CLK_TCK)
  if [ -n "$file" ]; then
    for c in $(docker compose -p "$project" -f "$file" ps -q 2>/dev/null); do
      id=$(docker inspect -f '{{.Id}}' "$c")
      [ -r "/sys/fs/cgroup/cpuacct/docker/$id/cgroup.procs" ] && pids+=($(cat "/sys/fs/cgroup/cpuacct/docker/$id/cgroup.procs"))
    done
  fi
  pids+=($(pgrep -x dockerd; pgrep -x containerd; pgrep -f containerd-shim))
  # utime + stime + the reaped children's: every process counted once. A health check's process
  # ends reaped by its shim (the subreaper of what runc starts), so it counts there, with runc.
  for p in "${pids[@]}"; do
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || true
  done | awk -v tick="$tick" '{ s += $1 } END { printf "%d\n", s * 1000 / tick }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "samples (ms/s):"; for (i = 1; i <= NR; i++) printf " %s", v[i]; printf "; median %s ms/s", m }'; }
# Appends SAMPLES samples of both figures to $work/<label>.machine and $work/<label>.stack.
sample() {
  local tick b0 b1 a0 a1 i
  tick=$(getconf CLK_TCK)
  for i in $(seq "$SAMPLES"); do
    b0=$(busy); a0=$(attributed); sleep "$SECONDS_EACH"; b1=$(busy); a1=$(attributed)
    echo $(((b1 - b0) * 1000 / tick / SECONDS_EACH)) >>"$work/$1.machine"
    echo $(((a1 - a0) / SECONDS_EACH)) >>"$work/$1.stack"
  done
}
report() {
  echo "$1: machine $(median <"$work/$1.machine")"
  echo "$(printf '%*s' ${#1} '')  stack + engine $(median <"$work/$1.stack")"
}
up() {
  file=$work/$1.yml
  docker compose -p "$project" -f "$file" up -d --wait >/dev/null
  sleep 10 # let start-up settle
}

if [ -z "$base" ]; then
  plan WORKTREE "$work/new.yml"
  up new
  sample "stack idle"
  down
  file=""
  sleep 5
  sample "no stack"
  report "stack idle"
  report "no stack"
  exit 0
fi

plan "$base" "$work/base.yml"
plan WORKTREE "$work/new.yml"
for r in $(seq "$ROUNDS"); do
  order="base new"
  if ((r % 2 == 0)); then order="new base"; fi
  for side in $order; do
    echo "[round $r/$ROUNDS] $side" >&2
    up "$side"
    sample "$side"
    down
    file=""
  done
done
echo "idle CPU, base $base vs working tree; $ROUNDS rounds of $SAMPLES x $SECONDS_EACH s, order alternating"
report base
report new
