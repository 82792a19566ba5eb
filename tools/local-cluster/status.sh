#!/usr/bin/env bash
# Is the local cluster up? One line per component (pid, RSS), the node, the server version.
# Exit 0 when every component of the started mode runs and the API server answers.
#   tools/local-cluster/status.sh [--quiet]
source "$(dirname "$0")/lib.sh"
quiet=0
[ "${1:-}" = --quiet ] && quiet=1
out() { [ "$quiet" = 1 ] || echo "$@"; }
if [ ! -f "$LC_RUN/mode" ]; then out "local-cluster: down"; exit 1; fi
if owner=$(other_owner); then out "local-cluster: up, started by another checkout ($owner): export KUBECONFIG=$owner/kubeconfig"; exit 1; fi
mode=$(cat "$LC_RUN/mode")
names=(etcd kube-apiserver)
[ "$mode" = api ] || names+=(kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)
ok=0 total_kb=0
for n in "${names[@]}"; do
  if pid=$(pid_of "$n"); then
    kb=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total_kb=$((total_kb + kb))
    out "$(printf '%-24s running  pid %-8s rss %6d MiB' "$n" "$pid" $((kb / 1024)))"
  else
    out "$(printf '%-24s NOT RUNNING' "$n")"; ok=1
  fi
done
if [ "$mode" = full ]; then
  # Containers' processes (the shims and everything under them).
  # Containers: every process in the kubelet's pod cgroups, and the shims.
  for procs in $(find /sys/fs/cgroup/memory/kubepods /sys/fs/cgroup/kubepods* -name cgroup.procs 2>/dev/null); do
    while read -r p; do
      kb=$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); total_kb=$((total_kb + ${kb:-0}))
    done <"$procs"
  done
  for p in $(pgrep -f "^$LC_BIN/containerd-shim-runc-v2 " || true); do
    kb=$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); total_kb=$((total_kb + ${kb:-0}))
  done
fi
if ! kc get --raw /readyz --request-timeout=10s >/dev/null 2>&1; then out "API server: not ready"; ok=1; fi
if [ "$ok" = 0 ] && [ "$quiet" = 0 ]; then
  [ "$mode" = api ] || kc get nodes -o wide 2>/dev/null | sed 's/^/  /'
  kc version 2>/dev/null | sed 's/^/  /'
  echo "memory: sum of RSS of the components and containers: $((total_kb / 1024)) MiB"
  echo "kubeconfig: $KUBECONFIG_OUT   (export KUBECONFIG=$KUBECONFIG_OUT)"
fi
exit "$ok"
