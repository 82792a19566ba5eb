#!/usr/bin/env bash
# Deploys dist/k8s/minikube to the cluster kubectl points at (README "Deploy to minikube").
# The e2e-k8s suite runs this same script against a real cluster, so the documented path
# is the tested path.
#   TODO_POSTGRES_PASSWORD=… [TODO_OPENAI_API_KEY=…] scripts/minikube-up.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=dist/k8s/minikube
scripts/load-minikube.sh --dir "$dir"
kubectl apply -f "$dir/00-namespace.yaml"
scripts/minikube-secrets.sh
kubectl apply -f "$dir/"
for workload in $(kubectl -n todo get statefulset,deployment -o name); do
  kubectl -n todo rollout status "$workload" --timeout=5m
done
