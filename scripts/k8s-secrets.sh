#!/usr/bin/env bash
# The Secrets dist/k8s/minikube references: the whole secret contract (dist/ never
# holds a value). Each is made by `kubectl create secret generic … --dry-run=client -o yaml`
# and applied, so a re-run updates instead of failing. --print writes the YAML instead
# (no cluster needed).
#   TODO_POSTGRES_PASSWORD=… [TODO_OPENAI_API_KEY=…] scripts/k8s-secrets.sh [--print]
set -euo pipefail
print=0
case "${1:-}" in
  --print) print=1 ;;
  "") ;;
  *) echo "k8s-secrets: unknown argument '$1'; use --print or nothing" >&2; exit 2 ;;
esac
: "${TODO_POSTGRES_PASSWORD:?set TODO_POSTGRES_PASSWORD (letters and digits, e.g. \$(openssl rand -hex 16))}"
ns=todo
secret() {
  if [ "$print" = 1 ]; then kubectl -n "$ns" create secret generic "$@" --dry-run=client -o yaml; echo ---
  else kubectl -n "$ns" create secret generic "$@" --dry-run=client -o yaml | kubectl apply -f -; fi
}
secret todo-postgres --from-literal=password="$TODO_POSTGRES_PASSWORD"
secret todo-backend --from-literal=database-url="postgresql://todo:$TODO_POSTGRES_PASSWORD@postgres:5432/todo"
if [ -n "${TODO_OPENAI_API_KEY:-}" ]; then secret todo-openai --from-literal=api-key="$TODO_OPENAI_API_KEY"; fi   # optional
