#!/usr/bin/env bash
# The local cluster's own checks, no cluster needed: every script parses, every Go module's
# go.mod and go.sum agree (no missing or stray requirement), and the Ingress controller's
# manifest is YAML.
set -euo pipefail
cd "$(dirname "$0")"
for f in *.sh; do bash -n "$f"; done
if command -v go >/dev/null; then
  for d in go/*/; do
    (cd "$d" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod tidy -diff >/dev/null) || { echo "local-cluster: $d: go.mod/go.sum are not tidy: run go mod tidy there" >&2; exit 1; }
  done
fi
node -e 'require("yaml").parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8")).forEach((d) => { if (d.errors.length) throw d.errors[0]; })' addons/ingress-controller.yaml
echo "local-cluster: scripts parse, Go modules tidy, addons are YAML"
