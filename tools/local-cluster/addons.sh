#!/usr/bin/env bash
# The cluster's addons, from the manifests their upstream modules ship (read from the Go
# module cache, at the pinned versions), with only the image, the addresses and the paths
# set for this node:
#   - CoreDNS: k8s.io/kubernetes cluster/addons/dns/coredns/coredns.yaml.sed (the kube-dns
#     Service at $DNS_IP), as upstream's addon manager deploys it;
#   - storage: rancher/local-path-provisioner deploy/local-path-storage.yaml, its class named
#     `standard` and made the default, as minikube's is; on this one node its folder is a
#     shared file system path (`sharedFileSystemPath`), so claims may also be ReadWriteMany,
#     as on minikube's hostpath provisioner;
#   - ingress: Traefik serving the IngressClass `nginx` (addons/ingress-controller.yaml).
source "$(dirname "$0")/lib.sh"
GO_DIR="$LC_TOOLS/go"
moddir() { (cd "$GO_DIR/$1" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' "$2"); }

k8s_src=$(moddir kubernetes k8s.io/kubernetes)
sed -e "s/\$DNS_SERVER_IP/$DNS_IP/g" -e 's/\$DNS_DOMAIN/cluster.local/g' -e 's/\$DNS_MEMORY_LIMIT/170Mi/g' \
    -e "s#image: registry.k8s.io/coredns/coredns:.*#image: $COREDNS_IMAGE#" \
    "$k8s_src/cluster/addons/dns/coredns/coredns.yaml.sed" | kc apply -f - >/dev/null

lpp_src=$(moddir storage github.com/rancher/local-path-provisioner)
sed -e "s#image: rancher/local-path-provisioner:.*#image: $STORAGE_IMAGE#" \
    -e "s#image: busybox#image: $HELPER_IMAGE#" \
    -e "s#/opt/local-path-provisioner#$LC_VAR/storage#" \
    -e 's#^  name: local-path$#  name: standard\n  annotations:\n    storageclass.kubernetes.io/is-default-class: "true"#' \
    "$lpp_src/deploy/local-path-storage.yaml" \
  | perl -0pe 's#"nodePathMap":\[.*?\]\s*\}\s*\]#"sharedFileSystemPath": "'"$LC_VAR/storage"'"#s' \
  | kc apply -f - >/dev/null

if [ -f "$LC_TOOLS/addons/ingress-controller.yaml" ]; then
  kc apply -f "$LC_TOOLS/addons/ingress-controller.yaml" >/dev/null
fi

for d in kube-system/coredns local-path-storage/local-path-provisioner $( [ -f "$LC_TOOLS/addons/ingress-controller.yaml" ] && echo ingress-nginx/ingress-controller); do
  kc -n "${d%%/*}" rollout status "deployment/${d#*/}" --timeout=120s >/dev/null \
    || { kc -n "${d%%/*}" describe pods | tail -20 >&2; die "addon ${d#*/} did not become ready"; }
done
log "addons ready: CoreDNS ($DNS_IP), StorageClass standard (default), $( [ -f "$LC_TOOLS/addons/ingress-controller.yaml" ] && echo 'Ingress class nginx' || echo 'no Ingress controller')"
