# Shared settings of the local cluster (sourced by build.sh, up.sh, down.sh, status.sh).
# One node: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy (iptables), containerd + runc + CNI bridge, kube-router (NetworkPolicy),
# all built from upstream Go modules by build.sh.
set -euo pipefail

LC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LC_TOOLS="$LC_ROOT/tools/local-cluster"
# Everything up writes lives under these four places; down removes them.
LC_STATE="${LOCAL_CLUSTER_STATE:-$LC_ROOT/tmp/local-cluster}"   # binaries, kubeconfig, PKI, config, logs
case "$LC_STATE" in
  /*/*) ;;
  *) printf 'local-cluster: LOCAL_CLUSTER_STATE must be an absolute path of a directory of its own, not %s\n' "$LC_STATE" >&2; exit 2 ;;
esac
LC_BIN="$LC_STATE/bin"
LC_VAR="/var/lib/todo-local-cluster"                              # containerd root, kubelet root, pod logs, volumes
LC_RUN="/run/todo-local-cluster"                                  # pids, sockets, containerd and runc state
LC_PIDS="$LC_RUN/pids"                                            # gone after a reboot, like the processes
KUBECONFIG_OUT="$LC_STATE/kubeconfig"

K8S_VERSION=v1.37.2
NODE_NAME=local-cluster
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10
CNI_BRIDGE=todo-cni0
API_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
# Host ports that the components listen on (checked free before up starts anything).
LC_PORTS=(2379 2380 6443 10248 10249 10250 10256 10257 10259 20244 80)
PAUSE_IMAGE=localhost/local-cluster/pause:3.10
COREDNS_IMAGE=localhost/local-cluster/coredns:v1.14.7
STORAGE_IMAGE=localhost/local-cluster/local-path-provisioner:v0.0.30
HELPER_IMAGE=localhost/local-cluster/busybox:1.35
INGRESS_IMAGE=localhost/local-cluster/traefik:v3.6.12
export PATH="$LC_BIN:$PATH"

log() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "must run as root: the node runs containers (containerd, runc), sets iptables rules and mounts volumes. Use sudo, or point kubectl at a cluster you already have (README: Deploy to Kubernetes)."
}

node_ip() {
  ip -4 route get 1.1.1.1 2>/dev/null | sed -nE 's/.* src ([0-9.]+).*/\1/p' | head -1
}

# The pid of component NAME when it runs: the pid file under /run, and the process's
# executable is the one in $LC_BIN (a reused pid is never signalled).
pid_of() {
  local f="$LC_PIDS/$1" pid exe
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  case "$exe" in "$LC_BIN"/*) echo "$pid" ;; *) return 1 ;; esac
}

# The Debian packages the build and the node need; installed when missing (root, apt).
ensure_packages() {
  local missing=() t
  for t in iptables ip6tables ipset conntrack openssl gcc pkg-config busybox curl ss pgrep setsid flock; do command -v "$t" >/dev/null || missing+=("$t"); done
  pkg-config --exists libseccomp 2>/dev/null || missing+=(libseccomp-dev)
  [ ${#missing[@]} -gt 0 ] || return 0
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing Debian packages for: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q iptables ipset conntrack openssl gcc libc6-dev libseccomp-dev pkg-config busybox curl iproute2 procps util-linux >/dev/null \
      || die "apt-get could not install iptables ipset conntrack openssl gcc libc6-dev libseccomp-dev pkg-config busybox curl iproute2 procps util-linux"
  else
    die "missing: ${missing[*]}; install them with your package manager (Debian: iptables ipset conntrack openssl gcc libseccomp-dev pkg-config busybox curl iproute2 procps util-linux)"
  fi
}

# The node's paths (/run, /var/lib, the bridge, iptables) are the machine's: one cluster per
# machine. $LC_RUN/owner names the state directory (the checkout) whose cluster it is.
other_owner() {
  local owner
  owner=$(cat "$LC_RUN/owner" 2>/dev/null || true)
  [ -n "$owner" ] && [ "$owner" != "$LC_STATE" ] && echo "$owner"
}
# Does any process of the cluster run (any pid file whose process runs that owner's binary)?
owner_running() {
  local owner=$1 f pid exe
  for f in "$LC_PIDS"/*; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    case "$exe" in "$owner/bin"/*) return 0 ;; esac
  done
  return 1
}

kc() { "$LC_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }
