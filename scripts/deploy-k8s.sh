#!/usr/bin/env bash
# Deploys dist/k8s/minikube to the cluster kubectl points at: minikube, the local cluster
# (npx nx run local-cluster:up) or any other context (README "Deploy to Kubernetes"). The
# e2e-k8s suite runs this same script, so the documented path is the tested path.
#   TODO_POSTGRES_PASSWORD=… [TODO_OPENAI_API_KEY=…] scripts/deploy-k8s.sh [--dir DIR] [--skip-load]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=dist/k8s/minikube
load=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a directory}"; shift ;;
    --skip-load) load=0 ;;  # the images are in the node already (scripts/load-images.sh ran)
    *) echo "deploy-k8s: unknown argument '$1'; use --dir DIR and/or --skip-load" >&2; exit 2 ;;
  esac
  shift
done
: "${TODO_POSTGRES_PASSWORD:?set TODO_POSTGRES_PASSWORD (letters and digits, e.g. \$(openssl rand -hex 16))}"
kubectl version --request-timeout=10s >/dev/null 2>&1 || {
  echo "deploy-k8s: kubectl reaches no cluster (context '$(kubectl config current-context 2>/dev/null || echo none)'). Start one: minikube start --addons=ingress, or npx nx run local-cluster:up and export KUBECONFIG=\$PWD/tmp/local-cluster/kubeconfig" >&2
  exit 1
}
[ "$load" = 0 ] || scripts/load-images.sh --dir "$dir"
kubectl apply -f "$dir/00-namespace.yaml"
scripts/k8s-secrets.sh
kubectl apply -f "$dir/"
for workload in $(kubectl -n todo get statefulset,deployment -o name); do
  kubectl -n todo rollout status "$workload" --timeout=5m
done
