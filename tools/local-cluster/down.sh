#!/usr/bin/env bash
# Removes everything up.sh started: pods and their containers, the processes, mounts,
# network namespaces and veths, the CNI bridge, iptables chains and ipsets, the kubelet's
# cgroups, containerd's state and the cluster's data, and puts back the kernel settings the
# node changed. Keeps the built binaries.
#   tools/local-cluster/down.sh [--quiet] [--keep-logs] [--force]
# --force takes down a cluster that another checkout started.
source "$(dirname "$0")/lib.sh"
quiet=0 keep_logs=0 force=0
for a in "$@"; do
  case "$a" in
    --quiet) quiet=1 ;;
    --keep-logs) keep_logs=1 ;;
    --force) force=1 ;;
    *) die "unknown argument '$a'; use --quiet, --keep-logs and/or --force" ;;
  esac
done
need_root
say() { [ "$quiet" = 1 ] || log "$@"; }
if owner=$(other_owner); then
  [ "$force" = 1 ] || die "the local cluster belongs to another checkout ($owner): take it down from there, or pass --force to remove it from here."
  # Its processes run its binaries and its state is in its directory.
  [ -d "$owner" ] && LOCAL_CLUSTER_STATE="$owner" exec "$0" "$@"
fi
if [ -z "${LOCAL_CLUSTER_LOCKED:-}" ]; then
  exec 9>"/run/todo-local-cluster.lock"
  flock 9
fi

stop() {  # stop NAME: SIGTERM, then SIGKILL after 10 s (only a process running our binary)
  local pid
  if pid=$(pid_of "$1"); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
    pid_of "$1" >/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$LC_PIDS/$1"
}
# Every process whose executable is one of our binaries.
ours() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case "$exe" in "$LC_BIN"/*) echo "${p#/proc/}" ;; esac
  done
}

# Our pod sandboxes' IDs, for the CNI result cache entries they leave at a fixed host path.
sandboxes=$(ls "$LC_RUN/containerd/io.containerd.grpc.v1.cri/sandboxes" 2>/dev/null || true)

# The node first, so nothing restarts a pod while it is being removed.
stop kube-router; stop kube-proxy; stop kubelet
sock="$LC_RUN/containerd.sock"
if [ -S "$sock" ] && pid_of containerd >/dev/null; then
  for t in $("$LC_BIN/ctr" --address "$sock" -n k8s.io tasks ls -q 2>/dev/null || true); do
    "$LC_BIN/ctr" --address "$sock" -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
  done
  sleep 1
fi
# Whatever still runs in the pods' cgroups (this host has no other kubepods: up checks).
for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs /sys/fs/cgroup/*/kubepods/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/*/cgroup.procs; do
  [ -f "$procs" ] || continue
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$procs"
done
stop containerd; stop kube-scheduler; stop kube-controller-manager; stop kube-apiserver; stop etcd
# The shims and any other process left that runs one of our binaries. A killed shim leaves its
# socket in /run/containerd/s (shared with other containerds): only our shims' are removed.
ours_now=$(ours)
shim_sockets=$(for pid in $ours_now; do ss -xlpn 2>/dev/null | grep "pid=$pid," | grep -oE '/run/containerd/s/[0-9a-f]+' || true; done)
for pid in $ours_now; do kill -9 "$pid" 2>/dev/null || true; done
for sock_file in $shim_sockets; do rm -f "$sock_file"; done
sleep 0.5

# Mounts under the cluster's directories, deepest first (pod volumes, overlay rootfs,
# network namespaces, the kubelet root's shared bind mount).
mounts() { awk -v a="$LC_VAR" -v b="$LC_RUN" '$2 == a || index($2, a "/") == 1 || $2 == b || index($2, b "/") == 1 {print $2}' /proc/self/mounts | sort -r; }
for m in $(mounts); do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
done

# iptables: kube-proxy's own clean-up, then the KUBE-/CNI- chains that remain (kube-router's,
# the kubelet's canaries, the CNI masquerade and hostPort chains; up refuses to start when
# another Kubernetes or CNI owns such chains) and the two FORWARD rules up appended.
[ -x "$LC_BIN/kube-proxy" ] && "$LC_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
clean_table() {  # clean_table CMD TABLE
  local cmd=$1 t=$2 rule chain rules
  "$cmd" -t "$t" -S >/dev/null 2>&1 || return 0
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

# The bridge and any veth still on it (most went with their network namespaces).
for v in $(ip -o link show master "$CNI_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do ip link delete "$v" 2>/dev/null || true; done
if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then ip link delete "$CNI_BRIDGE" 2>/dev/null || true; fi

# The kubelet's cgroups (kubepods and its pods), deepest first.
for ctl in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/kubepods.slice; do
  [ -d "$ctl" ] || continue
  find "$ctl" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

# Kernel settings back as they were before up.
if [ -f "$LC_RUN/sysctl.orig" ]; then
  while IFS= read -r kv; do [ -z "$kv" ] || sysctl -qw "$kv" 2>/dev/null || true; done <"$LC_RUN/sysctl.orig"
fi

# What the kubelet and CNI write at fixed host paths: the pod log links, the CNI result
# cache of our network, the kubelet's device-plugin socket (directories only if empty).
for l in /var/log/containers/*.log; do
  [ -L "$l" ] || continue
  case "$(readlink "$l")" in "$LC_VAR"/*) rm -f "$l" ;; esac
done
rm -f /var/lib/cni/results/local-cluster-* 2>/dev/null || true
for id in $sandboxes; do rm -f /var/lib/cni/results/cni-loopback-"$id"-* 2>/dev/null || true; done
rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/kubelet/plugins_registry/*.sock 2>/dev/null || true
# containerd's shims keep their sockets at /run/containerd/s (gone when they exit).
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet/plugins_registry /var/lib/kubelet/plugins /var/lib/kubelet \
  /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd 2>/dev/null || true

# --one-file-system: never into a mount that survived (a pod's hostPath, say).
rm -rf --one-file-system "$LC_VAR" "$LC_RUN" "$LC_STATE/config" "$KUBECONFIG_OUT" "$LC_STATE/pki" "$LC_STATE/ready-seconds" \
  || log "some files stayed under $LC_VAR or $LC_RUN (a mount that could not be removed): see 'grep todo-local-cluster /proc/self/mounts'"
[ "$keep_logs" = 1 ] || rm -rf "$LC_STATE/logs"
say "down: processes, mounts, iptables chains, ipsets, the bridge, cgroups, kernel settings and cluster data removed (binaries kept in $LC_BIN)"
