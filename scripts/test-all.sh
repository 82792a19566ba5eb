#!/usr/bin/env bash
# Every test of the project (README "Test"). Installs what it needs on a fresh
# Debian machine, uses stand-in base images when no registry answers, then runs
# the Nx targets: generated output current, policy gates, lint, types, unit and
# integration tests (real PostgreSQL, Docker, docker-compose, chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${CI:+true}"

step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "system prerequisites and Docker engine"
scripts/ensure-system.sh
[ -d node_modules ] || npm ci

# DOCKER, DOCKER_BUILD and COMPOSE from the one detection (BuildKit-capable client first).
source scripts/docker-env.sh
[ -z "${DOCKER_PROBLEM:-}" ] || { echo "$DOCKER_PROBLEM" >&2; exit 1; }
echo "docker: $DOCKER; build: $DOCKER_BUILD; compose: $COMPOSE ($COMPOSE_VERSION)"

# The local Kubernetes cluster's binaries, built from the Go module proxy first: a cold build
# takes minutes, and a proxy problem should stop the run before the long suites.
cluster_started=""
if [ -z "${E2E_K8S_BACKEND:-}" ] && ! kubectl config current-context 2>/dev/null | grep -qx minikube; then
  step "local Kubernetes cluster: build from upstream Go modules"
  bash tools/local-cluster/build.sh
fi

step "base images"
if ! "$DOCKER" image inspect python:3.13-slim >/dev/null 2>&1 && ! timeout 60 "$DOCKER" pull -q python:3.13-slim >/dev/null 2>&1; then
  echo "no registry answers: building stand-in bases (README: Air-gapped machines)"
  scripts/offline-bases.sh
  export TODO_IMAGE_MIRRORS="$PWD/scripts/offline-mirrors.json"
fi
pip_server=""
if [ -z "${PIP_INDEX_URL:-}" ] && [ -d /opt/pypi/simple ]; then
  # PyPI is unreachable here; the backend image installs from the local wheel index.
  python3 -m http.server 8765 --bind 127.0.0.1 --directory /opt/pypi >/dev/null 2>&1 &
  pip_server=$!
  export PIP_INDEX_URL=http://127.0.0.1:8765/simple
fi
cleanup() {
  [ -z "$pip_server" ] || kill "$pip_server" 2>/dev/null || true
  # Only a cluster this run started is taken down.
  [ -z "$cluster_started" ] || bash tools/local-cluster/down.sh --quiet || true
}
trap cleanup EXIT

step "generated output is current, policy gates"
npx nx run infra:check
npx nx run infra:policy

step "the field's scanners on the output: kube-score and trivy config (built from pinned Go modules)"
# Built before the unit tests too: libs/policy's scan-config test runs both binaries.
bash tools/go-tools/build.sh kube-score trivy
npx nx run infra:scan-config

step "lint and types"
npx nx run-many -t lint,typecheck --parallel=2

step "SBOM and vulnerability tools: syft, osv-scanner (built from pinned Go modules)"
# Before the unit tests: tests/images/sbom-scan.test.ts runs both.
bash tools/go-tools/build.sh syft osv-scanner

step "unit and integration tests"
npx nx run-many -t test --parallel=1

step "image SBOMs and the vulnerability gate on every image project"
if [ -n "${OSV_DB_MIRROR:-}" ]; then
  npx nx run-many -t sbom,scan --parallel=1
else
  # No OSV mirror reaches this machine; the gate itself is proven by tests/images/sbom-scan.test.ts.
  echo "OSV_DB_MIRROR is not set: SBOMs are made, the images are not matched (--allow-no-database)"
  npx nx run-many -t sbom,scan --parallel=1 --allow-no-database
fi

step "browser end-to-end test (built frontend, real backend and PostgreSQL, chromium)"
npx nx run frontend:e2e

if [ -f tests/e2e-compose/project.json ]; then
  step "compose stack end-to-end: health, requests, faults, load"
  npx nx run e2e-compose:compose
fi
step "public stacks end-to-end: express-bull, nginx-flask-mysql"; npx nx run e2e-stacks:e2e
step "Kubernetes end-to-end on a real cluster (minikube when kubectl's context is minikube, else the local cluster)"
if [ -z "${E2E_K8S_BACKEND:-}" ] && ! kubectl config current-context 2>/dev/null | grep -qx minikube; then
  if ! bash tools/local-cluster/status.sh --quiet 2>/dev/null; then cluster_started=1; fi
  npx nx run local-cluster:up
  # The cluster's own kubectl (v1.37) before any older one on PATH.
  export KUBECONFIG="$PWD/tmp/local-cluster/kubeconfig" PATH="$PWD/tmp/local-cluster/client:$PATH"
fi
npx nx run e2e-k8s:run
step "all tests passed"
if [ -n "${TODO_IMAGE_MIRRORS:-}" ]; then
  # The committed manifests name the official-base images; these runs tested stand-ins.
  echo "NOTE: images were built and tested on STAND-IN base images (TODO_IMAGE_MIRRORS=$TODO_IMAGE_MIRRORS),"
  echo "      tagged apart from the official-base images that dist/ and docker/*.yml name:"
  node tools/run-ts.mjs apps/infra/src/cli.ts images plan | node -e '
    const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const b of p.builds) for (const a of b.mirroredArgs) console.log(`      ${b.refs.join(", ")}: ${a}=${b.buildArgs[a]} (official ${b.baseImages[a]})`);'
fi
