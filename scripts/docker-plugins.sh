#!/usr/bin/env bash
# Makes the Docker CLI plugins the tests need answer: Compose v2 (`docker compose`) and buildx
# (`docker buildx`). Called by scripts/ensure-system.sh; safe to run again.
#   - A plugin the docker client already runs, at the pinned version or newer, is kept as it is
#     (Docker Desktop, docker-ce's docker-compose-plugin / docker-buildx-plugin, or ours).
#   - Otherwise the pinned version is built from its Go module (tools/go-tools/<tool>, by
#     tools/go-tools/build.sh) and installed into the client's plugin directory,
#     ${DOCKER_CONFIG:-~/.docker}/cli-plugins. A different file already there is moved aside
#     to cli-plugins.replaced/<name>-<its version>, and the script says so: nothing is lost.
#   scripts/docker-plugins.sh            # both
#   scripts/docker-plugins.sh compose    # only this one (compose | buildx)
# Env: DOCKER (the client, default docker from PATH), DOCKER_CONFIG.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKER=${DOCKER:-docker}
PLUGINS="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
log() { printf 'docker-plugins: %s\n' "$*" >&2; }

# The version (without a leading v) a plugin binary reports, or nothing.
plugin_version() { { "$1" docker-cli-plugin-metadata 2>/dev/null || true; } | node -e 'try { console.log(String(JSON.parse(require("fs").readFileSync(0, "utf8")).Version || "").replace(/^v/, "")) } catch {}'; }
# The version the client runs for `docker <sub>`, or nothing when the subcommand is missing.
client_version() {
  case $1 in
    compose) { "$DOCKER" compose version --short 2>/dev/null || true; } | sed 's/^v//' ;;
    buildx) { "$DOCKER" buildx version 2>/dev/null || true; } | awk '{ sub(/^v/, "", $2); print $2 }' ;;
  esac
}
# The module version pinned in tools/go-tools/<tool>/go.mod.
pinned_version() {
  local module
  case $1 in compose) module=github.com/docker/compose/v2 ;; buildx) module=github.com/docker/buildx ;; esac
  awk -v m="$module" '$1 == m || ($1 == "require" && $2 == m) { v = ($1 == m) ? $2 : $3; sub(/^v/, "", v); print v; exit }' "$ROOT/tools/go-tools/$1/go.mod"
}
# True when version $1 >= $2.
at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }

ensure() {
  local tool=$1 name="docker-$1" have pinned
  pinned=$(pinned_version "$tool")
  [ -n "$pinned" ] || { log "tools/go-tools/$tool/go.mod pins no version"; exit 1; }
  have=$(client_version "$tool")
  if [ -n "$have" ] && at_least "$have" "$pinned"; then
    log "$DOCKER $tool $have (pinned $pinned or newer): kept"
    return 0
  fi
  bash "$ROOT/tools/go-tools/build.sh" "$tool"
  local built
  built="$(bash "$ROOT/tools/go-tools/build.sh" --bin)/$name"
  mkdir -p "$PLUGINS"
  local target="$PLUGINS/$name"
  if [ -e "$target" ] && ! cmp -s "$built" "$target"; then
    local old aside
    old=$(plugin_version "$target")
    aside="$PLUGINS.replaced/$name-${old:-unknown}"
    mkdir -p "$PLUGINS.replaced"
    [ ! -e "$aside" ] || aside="$aside.$(date +%s)"
    mv "$target" "$aside"
    log "$target (${old:-version unknown}) is older than the pinned $pinned: moved to $aside"
  fi
  if [ ! -e "$target" ]; then
    cp "$built" "$target.tmp.$$" && chmod 755 "$target.tmp.$$" && mv "$target.tmp.$$" "$target"
    log "installed $name $pinned into $PLUGINS${have:+ (the client ran $have)}"
  fi
  have=$(client_version "$tool")
  if [ "$have" != "$pinned" ]; then
    log "$DOCKER $tool still runs ${have:-nothing} after installing $target: does this client read plugins from $PLUGINS (DOCKER_CONFIG)?"
    exit 1
  fi
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(compose buildx)
for t in "${tools[@]}"; do
  case $t in compose | buildx) ensure "$t" ;; *) log "unknown plugin $t (compose or buildx)"; exit 2 ;; esac
done
