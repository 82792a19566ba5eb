#!/usr/bin/env bash
# Figures of the local cluster (issue targets in brackets), medians over RUNS runs:
#   build, cached Go build cache   every binary relinked, module and build caches warm  [<= 1 min]
#   build, cold Go build cache     --cold: GOCACHE emptied (modules stay downloaded)   [<= 15 min]
#   up to node Ready               down, then up, binaries built                       [<= 60 s]
#   idle memory                    sum of RSS of components and containers, 60 s after up with the todo stack deployed [<= 2 GiB]
#   images into the node           scripts/load-images.sh (docker save | ctr import)
#   apply to all ready             scripts/deploy-k8s.sh --skip-load on a fresh namespace    [<= 60 s]
# Needs root, Docker and the todo images built (npx nx run-many -t docker-build).
#   bench/local-cluster/run.sh [--runs N] [--cold]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=3 cold=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs N}; shift ;;
    --cold) cold=1 ;;
    *) echo "bench/local-cluster: unknown argument '$1'; use --runs N and/or --cold" >&2; exit 2 ;;
  esac
  shift
done
LC=tools/local-cluster
export KUBECONFIG=$PWD/tmp/local-cluster/kubeconfig PATH=$PWD/tmp/local-cluster/client:$PATH
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f\n", b-a}'; }

bash "$LC/down.sh" --quiet
cached=() coldt=() ready=() mem=() deploy=() load=()
for i in $(seq "$runs"); do
  rm -f tmp/local-cluster/bin/.stamp-*
  t=$(now); bash "$LC/build.sh" 2>/dev/null; cached+=("$(since "$t")")
done
if [ "$cold" = 1 ]; then
  gocache=$(mktemp -d)
  rm -f tmp/local-cluster/bin/.stamp-*
  t=$(now); GOCACHE=$gocache bash "$LC/build.sh" 2>/dev/null; coldt+=("$(since "$t")")
  rm -rf "$gocache"
fi
for i in $(seq "$runs"); do
  bash "$LC/down.sh" --quiet
  bash "$LC/up.sh" 2>&1 | grep -E 'Ready after' | tail -1 >&2
  ready+=("$(cat tmp/local-cluster/ready-seconds)")
  kubectl delete namespace todo --ignore-not-found --wait=true >/dev/null
  # The images first (what minikube image load does), then the issue's figure: from
  # `kubectl apply -f dist/k8s/minikube` (namespace, Secrets, directory) to every rollout done.
  t=$(now)
  scripts/load-images.sh >/dev/null 2>&1 || { echo "load-images failed" >&2; exit 1; }
  load+=("$(since "$t")")
  t=$(now)
  TODO_POSTGRES_PASSWORD=$(openssl rand -hex 16) scripts/deploy-k8s.sh --skip-load >/dev/null 2>&1 || { echo "deploy-k8s failed" >&2; exit 1; }
  deploy+=("$(since "$t")")
  sleep 60
  mem+=("$(bash "$LC/status.sh" | sed -nE 's/^memory: .*: ([0-9]+) MiB$/\1/p')")
done
bash "$LC/down.sh" --quiet

row() { printf '| %-48s | %-28s | %-10s | %s |\n' "$1" "$2" "$3" "$4"; }
echo
echo "local cluster, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), runs: $runs"
row figure "runs (s or MiB)" median target
row "build, cached Go build cache (s)" "${cached[*]}" "$(printf '%s\n' "${cached[@]}" | median)" "<= 60"
[ "$cold" = 0 ] || row "build, cold Go build cache (s)" "${coldt[*]}" "$(printf '%s\n' "${coldt[@]}" | median)" "<= 900"
row "up to node Ready (s)" "${ready[*]}" "$(printf '%s\n' "${ready[@]}" | median)" "<= 60"
row "images into the node, load-images.sh (s)" "${load[*]}" "$(printf '%s\n' "${load[@]}" | median)" "-"
row "kubectl apply -f dist/k8s/minikube to all ready (s)" "${deploy[*]}" "$(printf '%s\n' "${deploy[@]}" | median)" "<= 60"
row "idle memory, sum of RSS (MiB)" "${mem[*]}" "$(printf '%s\n' "${mem[@]}" | median)" "<= 2048"
