#!/usr/bin/env bash
# Brings up the single-node local cluster (idempotent): builds what is missing, starts
# etcd, the control plane, containerd, the kubelet, kube-proxy and kube-router, then the
# addons (CoreDNS, the `standard` StorageClass, the Ingress controller). Prints the
# server version and the time to a Ready node. On any failure it removes what it started.
#   tools/local-cluster/up.sh            (npx nx run local-cluster:up)
#   tools/local-cluster/up.sh --control-plane-only   # etcd + API server: enough for --dry-run=server
source "$(dirname "$0")/lib.sh"
mode=full
case "${1:-}" in
  --control-plane-only) mode=api ;;
  "") ;;
  *) die "unknown argument '$1'; use nothing or --control-plane-only" ;;
esac
need_root
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# One up or down at a time on this machine (a second one waits for the first).
exec 9>"/run/todo-local-cluster.lock"
flock 9
export LOCAL_CLUSTER_LOCKED=1

# Already up? Then only report (idempotent). The API server gets a few tries: a busy machine
# answers slowly, and a running cluster is never torn down because of one slow answer.
if [ -f "$LC_RUN/mode" ] && [ -z "$(other_owner || true)" ] && pid_of kube-apiserver >/dev/null; then
  for _ in 1 2 3 4 5; do
    if "$LC_TOOLS/status.sh" --quiet 2>/dev/null; then
      if [ "$(cat "$LC_RUN/mode")" = full ] || [ "$mode" = api ]; then
        log "already up ($(cat "$LC_RUN/mode")); kubeconfig: $KUBECONFIG_OUT"
        "$LC_TOOLS/status.sh"
        exit 0
      fi
      break
    fi
    sleep 3
  done
  if [ "$(cat "$LC_RUN/mode")" = full ] || [ "$mode" = api ]; then
    "$LC_TOOLS/status.sh" >&2 || true
    die "the local cluster runs but is not healthy (above); look at $LC_STATE/logs, or start again: tools/local-cluster/down.sh, then up."
  fi
fi
# Another checkout's cluster holds the node's paths: never take it down from here.
if owner=$(other_owner); then
  if owner_running "$owner"; then
    die "a local cluster of another checkout is running ($owner); one machine runs one. Use it (export KUBECONFIG=$owner/kubeconfig), or take it down from there (tools/local-cluster/down.sh in that checkout)."
  fi
  log "removing the leftovers of a stopped cluster of another checkout ($owner)"
  LOCAL_CLUSTER_STATE="$owner" "$LC_TOOLS/down.sh" --quiet --force 9>&-
elif [ -d "$LC_RUN" ] || [ -d "$LC_VAR" ]; then
  # A half-started or stopped cluster of this checkout: clean it first.
  log "removing the leftovers of an earlier run first"
  "$LC_TOOLS/down.sh" --quiet 9>&-
fi

# --- preflight: everything checked before anything starts -------------------------------
[ "$(uname -s)" = Linux ] || die "the local cluster runs on Linux only; point kubectl at a cluster you already have"
if [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ]; then :
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then :
else die "no cgroup hierarchy with the memory and cpu controllers under /sys/fs/cgroup: the kubelet cannot run pods here"
fi
ensure_packages
# Another Kubernetes on this host (k3s, kubeadm, minikube --driver=none) has the same iptables
# chains and cgroups; the two would break each other, and down would remove its rules.
if iptables-save 2>/dev/null | grep -qE '^:(KUBE-|CNI-)' || ls -d /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods* >/dev/null 2>&1; then
  die "another Kubernetes (or CNI) runs on this host: iptables chains KUBE-*/CNI-* or a kubepods cgroup exist. Point kubectl at that cluster instead (E2E_K8S_BACKEND=cluster), or stop it first."
fi
# Pods share one bridge: NetworkPolicies and Service addresses need bridged traffic to pass iptables.
if [ "$(sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null || true)" != 1 ]; then
  command -v modprobe >/dev/null && modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null \
    || die "net.bridge.bridge-nf-call-iptables is not 1 and cannot be set: load the br_netfilter module (modprobe br_netfilter) first"
fi
ports=(6443 2379 2380 10257 10259)
[ "$mode" = api ] || ports=("${LC_PORTS[@]}")
for p in "${ports[@]}"; do
  if ss -Hltn "sport = :$p" | grep -q .; then
    die "port $p is in use ($(ss -Hltnp "sport = :$p" | sed -nE 's/.*users:\(\("([^"]+)".*/\1/p' | head -1)); the local cluster needs ${ports[*]}. Stop what holds it."
  fi
done
ip=$(node_ip)
[ -n "$ip" ] || die "no IPv4 address with a default route: the node needs one for its InternalIP"
# The node's resolver for CoreDNS: a loopback-only /etc/resolv.conf (systemd-resolved's stub)
# would point CoreDNS at itself; use the upstream list as kubeadm does.
resolv=/etc/resolv.conf
if ! grep -qE '^nameserver +([0-9]+\.){3}[0-9]+' "$resolv" || ! grep -E '^nameserver' "$resolv" | grep -qvE ' 127\.'; then
  if [ -f /run/systemd/resolve/resolv.conf ]; then resolv=/run/systemd/resolve/resolv.conf
  else die "/etc/resolv.conf names no nameserver outside 127.0.0.0/8: cluster DNS would loop. Give the host a real resolver first."
  fi
fi

"$LC_TOOLS/build.sh"
"$LC_TOOLS/pki.sh" "$ip"
pki="$LC_STATE/pki"

# From here on, a failure removes everything started so far.
started=0
on_fail() {
  local rc=$?
  [ "$rc" = 0 ] && return
  log "up failed; the last log lines:"
  for f in "$LC_STATE"/logs/*.log; do
    case "$f" in */build-*|*/go-download-*) continue ;; esac
    [ -s "$f" ] && { echo "--- $f" >&2; tail -5 "$f" >&2; }
  done
  [ "$started" = 1 ] && "$LC_TOOLS/down.sh" --quiet --keep-logs 9>&-
  exit "$rc"
}
trap on_fail EXIT
mkdir -p "$LC_PIDS" "$LC_STATE/logs" "$LC_STATE/config" "$LC_VAR"
echo "$LC_STATE" >"$LC_RUN/owner"
echo "$mode" >"$LC_RUN/mode"
started=1
# The kernel settings the node changes (ip_forward here; the kubelet's panic, overcommit and
# keys limits; kube-proxy's), saved so down puts them back.
for k in net.ipv4.ip_forward kernel.panic kernel.panic_on_oops vm.overcommit_memory kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet; do
  v=$(sysctl -n "$k" 2>/dev/null) && echo "$k=$v"
done >"$LC_RUN/sysctl.orig"

# start NAME ARGV…: a background process in its own session, logged, with a pid file.
start() {
  local name=$1; shift
  setsid "$@" >"$LC_STATE/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$LC_PIDS/$name"
}
wait_for() {  # wait_for WHAT SECONDS CMD…
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "$what did not come up in ${secs} s"
    sleep 0.3
  done
}

# --- control plane -----------------------------------------------------------------------
start etcd "$LC_BIN/etcd" --name local-cluster --data-dir "$LC_VAR/etcd" \
  --listen-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
  --cert-file "$pki/etcd-server.crt" --key-file "$pki/etcd-server.key" --client-cert-auth --trusted-ca-file "$pki/etcd-ca.crt" \
  --listen-peer-urls "https://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "https://127.0.0.1:$ETCD_PEER_PORT" \
  --peer-cert-file "$pki/etcd-server.crt" --peer-key-file "$pki/etcd-server.key" --peer-client-cert-auth --peer-trusted-ca-file "$pki/etcd-ca.crt" \
  --initial-cluster "local-cluster=https://127.0.0.1:$ETCD_PEER_PORT" --quota-backend-bytes 1073741824 \
  --snapshot-count 10000 --log-level warn
wait_for etcd 30 curl -fsS --cacert "$pki/etcd-ca.crt" --cert "$pki/apiserver-etcd-client.crt" --key "$pki/apiserver-etcd-client.key" "https://127.0.0.1:$ETCD_CLIENT_PORT/health"

start kube-apiserver "$LC_BIN/kube-apiserver" --etcd-servers "https://127.0.0.1:$ETCD_CLIENT_PORT" \
  --etcd-cafile "$pki/etcd-ca.crt" --etcd-certfile "$pki/apiserver-etcd-client.crt" --etcd-keyfile "$pki/apiserver-etcd-client.key" \
  --advertise-address "$ip" --bind-address 0.0.0.0 --secure-port "$API_PORT" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
  --enable-admission-plugins NodeRestriction --allow-privileged=true \
  --profiling=false --v=1
wait_for kube-apiserver 60 curl -fsS --cacert "$pki/ca.crt" "https://$ip:$API_PORT/readyz"
log "API server ready after $(elapsed) s"

if [ "$mode" = api ]; then
  trap - EXIT
  log "control plane only (etcd + kube-apiserver); kubeconfig: $KUBECONFIG_OUT"
  kc version 2>/dev/null | sed 's/^/local-cluster: /' >&2
  exit 0
fi

start kube-controller-manager "$LC_BIN/kube-controller-manager" --kubeconfig "$pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$pki/controller-manager.kubeconfig" --authorization-kubeconfig "$pki/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --allocate-node-cidrs --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size 24 \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false --v=1
start kube-scheduler "$LC_BIN/kube-scheduler" --kubeconfig "$pki/scheduler.kubeconfig" \
  --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1

# --- node: containerd, CNI, kubelet, kube-proxy, kube-router -------------------------------
cfg="$LC_STATE/config"
mkdir -p "$cfg/cni" "$LC_VAR/kubelet" "$LC_VAR/storage"
cat >"$cfg/cni/10-local-cluster.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "local-cluster",
  "plugins": [
    {
      "type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
               "dataDir": "$LC_VAR/cni"}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
cat >"$cfg/containerd.toml" <<EOF
version = 3
root = "$LC_VAR/containerd"
state = "$LC_RUN/containerd"
[grpc]
  address = "$LC_RUN/containerd.sock"
[ttrpc]
  address = "$LC_RUN/containerd.sock.ttrpc"
[debug]
  level = "warn"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "$PAUSE_IMAGE"
[plugins.'io.containerd.cri.v1.runtime']
  # root here has no CAP_SYS_RESOURCE: never set an oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  # Pod network namespaces under containerd's state dir, so down.sh finds exactly ours.
  netns_mounts_under_state_dir = true
[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ["$LC_BIN/cni"]
  conf_dir = "$cfg/cni"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = "$LC_BIN/runc"
  Root = "$LC_RUN/runc"
  SystemdCgroup = false
EOF
start containerd "$LC_BIN/containerd" --config "$cfg/containerd.toml"
wait_for containerd 30 "$LC_BIN/ctr" --address "$LC_RUN/containerd.sock" version
"$LC_TOOLS/images.sh" node

# The kubelet's root needs shared mount propagation (/ is private here).
if ! mountpoint -q "$LC_VAR/kubelet"; then mount --bind "$LC_VAR/kubelet" "$LC_VAR/kubelet"; fi
mount --make-rshared "$LC_VAR/kubelet"
sysctl -qw net.ipv4.ip_forward=1
# Docker sets the FORWARD policy to DROP; pod traffic on the CNI bridge is forwarded. These
# are appended, so kube-router's NetworkPolicy chain (inserted first) still decides.
iptables -A FORWARD -i "$CNI_BRIDGE" -m comment --comment todo-local-cluster -j ACCEPT
iptables -A FORWARD -o "$CNI_BRIDGE" -m comment --comment todo-local-cluster -j ACCEPT

cat >"$cfg/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$LC_RUN/containerd.sock
address: 0.0.0.0
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
clusterDomain: cluster.local
clusterDNS: [$DNS_IP]
resolvConf: $resolv
podLogsDir: $LC_VAR/pod-logs
failSwapOn: false
protectKernelDefaults: false
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
oomScoreAdj: 0
EOF
start kubelet "$LC_BIN/kubelet" --config "$cfg/kubelet.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
  --root-dir "$LC_VAR/kubelet" --hostname-override "$NODE_NAME" --node-ip "$ip" --v=1
cat >"$cfg/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $pki/kube-proxy.kubeconfig}
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $NODE_NAME
bindAddress: 0.0.0.0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
# NodePorts on 127.0.0.1 would need net.ipv4.conf.all.route_localnet=1 (CVE-2020-8558).
iptables: {localhostNodePorts: false}
EOF
start kube-proxy "$LC_BIN/kube-proxy" --config "$cfg/kube-proxy.yaml" --v=1

wait_for "the node object" 60 kc get node "$NODE_NAME"
# kube-router reads pods, namespaces and NetworkPolicies (its upstream ClusterRole, trimmed
# to the firewall).
kc apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: local-cluster:kube-router}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, nodes, endpoints]
  verbs: [list, get, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, get, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: local-cluster:kube-router}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "local-cluster:kube-router"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:kube-router"}
EOF
start kube-router "$LC_BIN/kube-router" --kubeconfig "$pki/kube-router.kubeconfig" --hostname-override "$NODE_NAME" \
  --run-firewall=true --run-router=false --run-service-proxy=false --metrics-port 0 --health-port 20244 --v=1
wait_for "a Ready node" 120 sh -c "'$LC_BIN/kubectl' --kubeconfig '$KUBECONFIG_OUT' get node '$NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
ready=$(elapsed)
log "node $NODE_NAME Ready after $ready s"

"$LC_TOOLS/addons.sh"
trap - EXIT
echo "$ready" >"$LC_STATE/ready-seconds"
log "up: node Ready after $ready s, addons ready after $(elapsed) s; kubeconfig: $KUBECONFIG_OUT"
kc version 2>/dev/null | sed 's/^/local-cluster: /' >&2
