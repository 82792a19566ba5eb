#!/usr/bin/env bash
# Removes everything up.sh started: pods and their containers, the processes, mounts,
# network namespaces and veths, the CNI bridge, iptables chains and ipsets, the kubelet's
# cgroups, containerd's state and the cluster's data. Keeps the built binaries.
#   tools/local-cluster/down.sh [--quiet] [--keep-logs]
source "$(dirname "$0")/lib.sh"
quiet=0 keep_logs=0
for a in "$@"; do
  case "$a" in
    --quiet) quiet=1 ;;
    --keep-logs) keep_logs=1 ;;
    *) die "unknown argument '$a'; use --quiet and/or --keep-logs" ;;
  esac
done
need_root
say() { [ "$quiet" = 1 ] || log "$@"; }

stop() {  # stop NAME: SIGTERM, then SIGKILL after 10 s
  local f="$LC_STATE/pids/$1" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# The node first, so nothing restarts a pod while it is being removed.
stop kube-router; stop kube-proxy; stop kubelet
sock="$LC_RUN/containerd.sock"
if [ -S "$sock" ] && [ -n "$(pid_of containerd || true)" ]; then
  for t in $("$LC_BIN/ctr" --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    "$LC_BIN/ctr" --address "$sock" -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
  done
  sleep 1
fi
# Every shim of this containerd (their containers die with them).
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $sock" || true); do
  pkill -9 -P "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true
done
stop containerd; stop kube-scheduler; stop kube-controller-manager; stop kube-apiserver; stop etcd
# Any process left that runs one of our binaries (a kill -9'd parent's child).
for pid in $(pgrep -f "^$LC_BIN/" || true); do kill -9 "$pid" 2>/dev/null || true; done

# Mounts under the cluster's directories, deepest first (pod volumes, overlay rootfs,
# network namespaces, the kubelet root's shared bind mount).
for m in $(awk -v a="$LC_VAR" -v b="$LC_RUN" '$2 ~ "^"a || $2 ~ "^"b {print $2}' /proc/self/mounts | sort -r); do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
done

# iptables: kube-proxy's and kube-router's own clean-up, then any KUBE-/CNI- chain and our
# FORWARD rules that remain (the kubelet's canaries, the CNI masquerade and hostPort chains).
[ -x "$LC_BIN/kube-proxy" ] && "$LC_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
clean_table() {  # clean_table CMD TABLE
  local cmd=$1 t=$2 rule chain
  "$cmd" -t "$t" -S >/dev/null 2>&1 || return 0
  local rules
  rules=$("$cmd" -t "$t" -S | grep -E -- '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*(-j (KUBE-|CNI-)|todo-local-cluster)' || true)
  while read -r rule; do [ -z "$rule" ] || eval "$cmd -t $t ${rule/#-A/-D}" 2>/dev/null || true; done <<<"$rules"
  for chain in $("$cmd" -t "$t" -S | sed -nE 's/^-N ((KUBE-|CNI-)[^ ]*)$/\1/p'); do "$cmd" -t "$t" -F "$chain" 2>/dev/null || true; done
  for chain in $("$cmd" -t "$t" -S | sed -nE 's/^-N ((KUBE-|CNI-)[^ ]*)$/\1/p'); do "$cmd" -t "$t" -X "$chain" 2>/dev/null || true; done
}
for cmd in iptables ip6tables; do
  command -v "$cmd" >/dev/null || continue
  for t in filter nat mangle raw; do clean_table "$cmd" "$t"; done
done
if command -v ipset >/dev/null; then
  for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-|inet6:KUBE-)' || true); do ipset destroy "$s" 2>/dev/null || true; done
fi

# The bridge (pods' veths went with their network namespaces).
ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && ip link delete "$CNI_BRIDGE" 2>/dev/null || true
for v in $(ip -o link show master "$CNI_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do ip link delete "$v" 2>/dev/null || true; done

# The kubelet's cgroups (kubepods and its pods), deepest first.
for ctl in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/kubepods.slice; do
  [ -d "$ctl" ] || continue
  find "$ctl" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

rm -rf --one-file-system "$LC_VAR" "$LC_RUN" "$LC_STATE/pids" "$LC_STATE/mode" "$LC_STATE/config" "$KUBECONFIG_OUT" "$LC_STATE/pki"
[ "$keep_logs" = 1 ] || rm -rf "$LC_STATE/logs"
say "down: processes, mounts, iptables chains, ipsets, the bridge, cgroups and cluster data removed (binaries kept in $LC_BIN)"
