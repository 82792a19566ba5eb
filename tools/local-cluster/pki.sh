#!/usr/bin/env bash
# The local cluster's certificates (openssl): one CA, the API server's serving cert, one
# client cert per component identity (as kubeadm names them), the kubelet's serving cert
# and the service-account key pair. Remade when the node IP changes.
#   tools/local-cluster/pki.sh NODE_IP
source "$(dirname "$0")/lib.sh"
ip=${1:?pki.sh NODE_IP}
pki="$LC_STATE/pki"
mkdir -p "$pki"
umask 077
if [ -f "$pki/node-ip" ] && [ "$(cat "$pki/node-ip")" = "$ip" ] && [ -f "$pki/sa.pub" ] && [ -f "$pki/apiserver-etcd-client.crt" ]; then exit 0; fi
rm -f "$pki"/*

openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=local-cluster-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null

# etcd trusts its own CA only (as kubeadm sets it up): a cluster certificate opens no etcd.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=local-cluster-etcd-ca" \
  -keyout "$pki/etcd-ca.key" -out "$pki/etcd-ca.crt" 2>/dev/null

# cert NAME CN O SAN(optional) USAGE [CA]
cert() {
  local name=$1 cn=$2 o=$3 san=$4 usage=$5 ca=${6:-ca} subj="/CN=$2"
  [ -z "$o" ] || subj="/O=$o/CN=$cn"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$pki/$name.ext"
  openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

cert apiserver kube-apiserver "" \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$API_SERVICE_IP,IP:$ip" serverAuth
cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters "" clientAuth
cert admin kubernetes-admin system:masters "" clientAuth
cert controller-manager system:kube-controller-manager "" "" clientAuth
cert scheduler system:kube-scheduler "" "" clientAuth
cert kubelet "system:node:$NODE_NAME" system:nodes "" clientAuth
cert kubelet-serving "system:node:$NODE_NAME" system:nodes "DNS:$NODE_NAME,IP:$ip,IP:127.0.0.1" serverAuth
cert kube-proxy system:kube-proxy "" "" clientAuth
# kube-router (NetworkPolicy) reads pods, namespaces and policies cluster-wide.
cert kube-router system:kube-router "" "" clientAuth
cert etcd-server local-cluster-etcd "" "DNS:localhost,IP:127.0.0.1" serverAuth,clientAuth etcd-ca
cert apiserver-etcd-client kube-apiserver-etcd-client "" "" clientAuth etcd-ca
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
echo "$ip" >"$pki/node-ip"

# One kubeconfig per identity; the admin one is the user's ($KUBECONFIG_OUT).
kubeconfig() {
  local name=$1 out=$2
  cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local-cluster
  cluster:
    certificate-authority: $pki/ca.crt
    server: https://$ip:$API_PORT
users:
- name: $name
  user:
    client-certificate: $pki/$name.crt
    client-key: $pki/$name.key
contexts:
- name: local-cluster
  context: {cluster: local-cluster, user: $name}
current-context: local-cluster
EOF
}
for n in controller-manager scheduler kubelet kube-proxy kube-router; do kubeconfig "$n" "$pki/$n.kubeconfig"; done
kubeconfig admin "$KUBECONFIG_OUT"
chmod 600 "$KUBECONFIG_OUT"
# Run with sudo: the user who called it can read the kubeconfig it points to.
if [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ]; then
  chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$KUBECONFIG_OUT" "$pki/ca.crt" "$pki/admin.crt" "$pki/admin.key"
fi
