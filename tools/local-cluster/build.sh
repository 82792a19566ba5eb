#!/usr/bin/env bash
# Builds every binary and node image of the local cluster from upstream Go modules,
# pinned by the go.mod/go.sum of each folder in tools/local-cluster/go/. A component is
# rebuilt only when its module files, its build line or the Go version change (a stamp
# beside the binaries); Go's own build cache makes a rebuild after a change cheap.
#   tools/local-cluster/build.sh            # binaries into tmp/local-cluster/bin
source "$(dirname "$0")/lib.sh"

ensure_packages
command -v go >/dev/null || die "Go is not installed: install Go 1.26 (https://go.dev/dl/) or point kubectl at a cluster you already have (README: Deploy to Kubernetes)."
export GOFLAGS="-buildvcs=false -mod=readonly" GOTOOLCHAIN=local
mkdir -p "$LC_BIN/cni"
GO_DIR="$LC_TOOLS/go"
go_version=$(go env GOVERSION)

# Fails early, with the fix, when the module proxy does not answer (a cold build needs it).
proxy_check() {
  local dir=$1
  if ! (cd "$GO_DIR/$dir" && go mod download -x >"$LC_STATE/logs/go-download-$dir.log" 2>&1); then
    tail -5 "$LC_STATE/logs/go-download-$dir.log" >&2
    die "could not download the Go modules of $dir from $(go env GOPROXY): the local cluster is built from the Go module proxy. Fix the network or GOPROXY, or point kubectl at a cluster you already have and run the suite with E2E_K8S_BACKEND=cluster (README: Deploy to Kubernetes)."
  fi
}

# build NAME OUTDIR "ENV…" "LDFLAGS" "TAGS" PACKAGE…  (run in go/NAME)
build() {
  local name=$1 out=$2 envs=$3 ldflags=$4 tags=$5; shift 5
  local stamp_file="$out/.stamp-$name"
  local stamp
  stamp=$(find "$GO_DIR/$name" -maxdepth 1 -type f \( -name 'go.*' -o -name '*.go' \) -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
  stamp="$stamp $go_version $envs $ldflags $tags $*"
  local missing=0 p
  for p in "$@"; do [ -x "$out/$(basename "$p")" ] || missing=1; done
  if [ "$missing" = 0 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then return 0; fi
  proxy_check "$name"
  local t0=$SECONDS
  log "building $name ($*)"
  if ! (cd "$GO_DIR/$name" && env $envs go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out/" "$@") >"$LC_STATE/logs/build-$name.log" 2>&1; then
    tail -20 "$LC_STATE/logs/build-$name.log" >&2
    die "building $name failed (full log: $LC_STATE/logs/build-$name.log)"
  fi
  echo "$stamp" >"$stamp_file"
  log "built $name in $((SECONDS - t0)) s"
}

mkdir -p "$LC_STATE/logs"
t_start=$SECONDS

# Kubernetes, with upstream's version ldflags (hack/lib/version.sh) so `kubectl version`
# and the node report the release.
k8s_ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ld="$k8s_ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=37 -X $p.gitTreeState=clean -X $p.buildDate=2026-08-26T00:00:00Z"
done
build kubernetes "$LC_BIN" "CGO_ENABLED=0" "$k8s_ld" "" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
  k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
build etcd "$LC_BIN" "CGO_ENABLED=0" "-s -w" "" .
build containerd "$LC_BIN" "CGO_ENABLED=0" "-s -w -X github.com/containerd/containerd/v2/version.Version=v2.3.7" "no_btrfs no_devmapper no_zfs" \
  github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/ctr \
  github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2
build runc "$LC_BIN" "CGO_ENABLED=1" "-s -w -X main.version=1.4.4" "seccomp" github.com/opencontainers/runc
build cni "$LC_BIN/cni" "CGO_ENABLED=0" "-s -w" "" \
  github.com/containernetworking/plugins/plugins/main/bridge github.com/containernetworking/plugins/plugins/main/loopback \
  github.com/containernetworking/plugins/plugins/ipam/host-local github.com/containernetworking/plugins/plugins/meta/portmap
build coredns "$LC_BIN" "CGO_ENABLED=0" "-s -w" "" github.com/coredns/coredns
build kube-router "$LC_BIN" "CGO_ENABLED=0" "-s -w" "" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
build storage "$LC_BIN" "CGO_ENABLED=0" "-s -w" "" github.com/rancher/local-path-provisioner
build ingress "$LC_BIN" "CGO_ENABLED=0" "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=v3.6.12" "" \
  github.com/traefik/traefik/v3/cmd/traefik

# The pause binary from the Kubernetes module's own source, static.
pause_src="$(cd "$GO_DIR/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
if [ ! -x "$LC_BIN/pause" ] || [ "$pause_src" -nt "$LC_BIN/pause" ]; then
  gcc -Os -Wall -Werror -static -DVERSION=v3.10-local -o "$LC_BIN/pause" "$pause_src"
  strip "$LC_BIN/pause"
fi
# kubectl of the cluster's version alone, for PATH (bin/ also holds runc and containerd,
# which must not shadow Docker's).
mkdir -p "$LC_STATE/client"
ln -sf ../bin/kubectl "$LC_STATE/client/kubectl"
log "binaries ready in $((SECONDS - t_start)) s ($LC_BIN)"
