#!/usr/bin/env bash
# Builds the field's own tools (Compose v2, buildx, scanners, SBOM tools) from the Go module
# proxy, each pinned by the go.mod/go.sum of its folder in tools/go-tools/. A folder holds:
#   go.mod, go.sum   the tool's module at a pinned version (a `tools.go` may import it)
#   tool.conf        bash: PACKAGES (main packages), optional CGO (0|1), LDFLAGS, TAGS,
#                    OUTPUT (the binary's name when PACKAGES is one package whose folder name
#                    is not the tool's, e.g. Compose's `cmd` -> docker-compose) and GOEXP
#                    (the GOEXPERIMENT a tool's release build sets, e.g. jsonv2 for Trivy)
# A tool is rebuilt only when its folder or the Go version changes (a stamp beside the
# binaries); Go's build cache makes a rebuild after a change cheap.
#   tools/go-tools/build.sh                # every tool, into tmp/go-tools/bin
#   tools/go-tools/build.sh compose syft   # only these
#   tools/go-tools/build.sh --bin          # print the binary folder and exit
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/tools/go-tools"
BIN="${GO_TOOLS_BIN:-$ROOT/tmp/go-tools/bin}"
LOGS="$ROOT/tmp/go-tools/logs"
log() { printf 'go-tools: %s\n' "$*" >&2; }
die() { printf 'go-tools: %s\n' "$*" >&2; exit 1; }

[ "${1:-}" = "--bin" ] && { echo "$BIN"; exit 0; }
command -v go >/dev/null || die "Go is not installed: install Go 1.26 (https://go.dev/dl/); the tools are built from the Go module proxy."
export GOFLAGS="-buildvcs=false -mod=readonly" GOTOOLCHAIN=local
mkdir -p "$BIN" "$LOGS"
go_version=$(go env GOVERSION)

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for d in "$DIR"/*/; do [ -f "$d/tool.conf" ] && names+=("$(basename "$d")"); done
fi

build_one() {
  local name=$1 mod="$DIR/$1"
  [ -f "$mod/tool.conf" ] || die "no tool named $name (folders with a tool.conf in tools/go-tools/)"
  local PACKAGES="" CGO=0 LDFLAGS="-s -w" TAGS="" OUTPUT="" GOEXP=""
  # shellcheck source=/dev/null
  source "$mod/tool.conf"
  [ -n "$PACKAGES" ] || die "$mod/tool.conf: PACKAGES is empty; name the tool's main package(s)"
  local out="$BIN/" outputs=""
  if [ -n "$OUTPUT" ]; then
    [ "$(wc -w <<<"$PACKAGES")" = 1 ] || die "$mod/tool.conf: OUTPUT names one binary, so PACKAGES must be one package"
    out="$BIN/$OUTPUT" outputs=$OUTPUT
  else
    for p in $PACKAGES; do outputs+=" $(basename "$p")"; done
  fi
  local stamp stamp_file="$BIN/.stamp-$name" missing=0 p
  stamp="$(find "$mod" -maxdepth 1 -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16) $go_version"
  for p in $outputs; do [ -x "$BIN/$p" ] || missing=1; done
  if [ "$missing" = 0 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then return 0; fi
  if ! (cd "$mod" && go mod download >"$LOGS/download-$name.log" 2>&1); then
    tail -5 "$LOGS/download-$name.log" >&2
    die "could not download the Go modules of $name from $(go env GOPROXY): fix the network or GOPROXY."
  fi
  local t0=$SECONDS
  log "building $name ($PACKAGES)"
  # shellcheck disable=SC2086
  if ! (cd "$mod" && CGO_ENABLED=$CGO GOEXPERIMENT=$GOEXP go build -trimpath -tags "$TAGS" -ldflags "$LDFLAGS" -o "$out" $PACKAGES) >"$LOGS/build-$name.log" 2>&1; then
    tail -20 "$LOGS/build-$name.log" >&2
    die "building $name failed (full log: $LOGS/build-$name.log)"
  fi
  echo "$stamp" >"$stamp_file"
  log "built $name in $((SECONDS - t0)) s"
}

for n in "${names[@]}"; do build_one "$n"; done
