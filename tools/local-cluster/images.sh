#!/usr/bin/env bash
# The node's images. `node`: pause, CoreDNS, the storage provisioner and its helper, each
# an OCI image made here from a binary built by build.sh (no registry, no Docker), imported
# into containerd's k8s.io namespace. `import`: an image archive (docker save) on stdin,
# imported the way `minikube image load` does it.
#   tools/local-cluster/images.sh node
#   docker save REF… | tools/local-cluster/images.sh import
#   tools/local-cluster/images.sh tag SOURCE DEST       # another name for an imported image
#   tools/local-cluster/images.sh config-id REF         # its config digest (Docker's image ID), if held
source "$(dirname "$0")/lib.sh"
# ctr warns about cgroup v1 on every call; that is said once, in the README.
ctr_() { "$LC_BIN/ctr" --address "$LC_RUN/containerd.sock" -n k8s.io "$@" 2> >(grep -v 'support for cgroup v1 is deprecated' >&2); }

# oci_image REF ROOTFS_DIR ENTRYPOINT_JSON USER: an OCI image archive on stdout.
oci_image() {
  local ref=$1 rootfs=$2 entry=$3 user=$4 d
  d=$(mktemp -d)
  mkdir -p "$d/blobs/sha256"
  tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$d/layer.tar" .
  local layer size_l config size_c manifest size_m
  layer=$(sha256sum "$d/layer.tar" | cut -d' ' -f1); size_l=$(stat -c %s "$d/layer.tar")
  mv "$d/layer.tar" "$d/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"User":"%s","Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$entry" "$user" "$layer" >"$d/config.json"
  config=$(sha256sum "$d/config.json" | cut -d' ' -f1); size_c=$(stat -c %s "$d/config.json")
  mv "$d/config.json" "$d/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config" "$size_c" "$layer" "$size_l" >"$d/manifest.json"
  manifest=$(sha256sum "$d/manifest.json" | cut -d' ' -f1); size_m=$(stat -c %s "$d/manifest.json")
  mv "$d/manifest.json" "$d/blobs/sha256/$manifest"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$size_m" "$ref" "${ref##*:}" >"$d/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
  tar -C "$d" -cf - oci-layout index.json blobs
  rm -rf "$d"
}

node_images() {
  local tmp; tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  # ref, entrypoint, user, files (src:dest)
  one() {
    local ref=$1 entry=$2 user=$3; shift 3
    if ctr_ images check "name==$ref" 2>/dev/null | grep -q complete; then return 0; fi
    local root="$tmp/$(echo "$ref" | tr '/:' '__')" f
    mkdir -p "$root/etc" "$root/tmp"
    chmod 1777 "$root/tmp"
    echo "nobody:x:65534:65534:nobody:/:/bin/false" >"$root/etc/passwd"
    for f in "$@"; do install -D -m 0755 "${f%%:*}" "$root/${f#*:}"; done
    oci_image "$ref" "$root" "$entry" "$user" | ctr_ images import - >/dev/null
  }
  one "$PAUSE_IMAGE" '["/pause"]' 65535 "$LC_BIN/pause:pause"
  one "$COREDNS_IMAGE" '["/coredns"]' "" "$LC_BIN/coredns:coredns"
  one "$STORAGE_IMAGE" '["local-path-provisioner"]' "" "$LC_BIN/local-path-provisioner:bin/local-path-provisioner"
  one "$INGRESS_IMAGE" '["/traefik"]' "" "$LC_BIN/traefik:traefik"
  # The provisioner's helper pod runs `sh -c` with mkdir/rm/chmod: Debian's static busybox.
  local bb; bb=$(command -v busybox)
  if ! ctr_ images check "name==$HELPER_IMAGE" 2>/dev/null | grep -q complete; then
    local root="$tmp/busybox"
    mkdir -p "$root/bin" "$root/tmp"
    install -m 0755 "$bb" "$root/bin/busybox"
    # Debian's busybox is dynamic (busybox-static is not): its libraries and loader too.
    local lib
    for lib in $(ldd "$bb" 2>/dev/null | grep -oE '/[^ ]+' || true); do install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"; done
    for a in sh mkdir rm rmdir chmod ls cat echo sleep; do ln -s busybox "$root/bin/$a"; done
    oci_image "$HELPER_IMAGE" "$root" '["/bin/sh"]' "" | ctr_ images import - >/dev/null
  fi
}

# config_id REF: the image's config digest (what Docker calls its image ID), or nothing when the
# node does not hold REF.
config_id() {
  local digest
  digest=$(ctr_ images ls "name==$1" 2>/dev/null | awk 'NR==2 {print $3}')
  [ -n "$digest" ] || return 0
  ctr_ content get "$digest" 2>/dev/null | python3 -c '
import json, subprocess, sys
doc = json.load(sys.stdin)
if "manifests" in doc:  # an index: the linux/amd64 manifest (or the first one)
    ms = [m for m in doc["manifests"] if m.get("platform", {}).get("architecture") in (None, "amd64")] or doc["manifests"]
    doc = json.loads(subprocess.run(sys.argv[1:] + [ms[0]["digest"]], capture_output=True, check=True).stdout)
print(doc["config"]["digest"])' "$LC_BIN/ctr" --address "$LC_RUN/containerd.sock" -n k8s.io content get 2>/dev/null || true
}

case "${1:-}" in
  node) node_images ;;
  import) ctr_ images import - ;;
  config-id) config_id "${2:?config-id REF}" ;;
  tag) ctr_ images tag --force "${2:?tag SOURCE DEST}" "${3:?tag SOURCE DEST}" >/dev/null ;;
  *) die "usage: images.sh node | images.sh import < archive | images.sh tag SOURCE DEST | images.sh config-id REF" ;;
esac
