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
# True when version $1 >= $2 by semver precedence (semver.org, item 11): MAJOR.MINOR.PATCH
# numerically, then a pre-release is lower than its release (2.35.0-rc.1 < 2.35.0); pre-releases
# compare by dot-separated identifiers, numbers numerically and below words, words in ASCII
# order, a shorter list lower when all else is equal. Build metadata (+...) is ignored.
at_least() { [ "$(semver_compare "$1" "$2")" -ge 0 ]; }
# -1, 0 or 1 as version $1 is lower than, equal to or higher than $2.
semver_compare() {
  local LC_ALL=C
  local a=${1#v} b=${2#v} ac bc ap bp i x y
  a=${a%%+*} b=${b%%+*}
  ac=${a%%-*} bc=${b%%-*}
  ap=${a#"$ac"} bp=${b#"$bc"}
  ap=${ap#-} bp=${bp#-}
  local -a an bn
  IFS=. read -r -a an <<<"$ac"
  IFS=. read -r -a bn <<<"$bc"
  for i in 0 1 2; do
    x=${an[i]:-0} y=${bn[i]:-0}
    [[ $x =~ ^[0-9]+$ ]] || x=0
    [[ $y =~ ^[0-9]+$ ]] || y=0
    if ((10#$x != 10#$y)); then ((10#$x > 10#$y)) && echo 1 || echo -1; return; fi
  done
  if [ -z "$ap" ] || [ -z "$bp" ]; then
    if [ -z "$ap" ] && [ -z "$bp" ]; then echo 0; elif [ -z "$ap" ]; then echo 1; else echo -1; fi
    return
  fi
  IFS=. read -r -a an <<<"$ap"
  IFS=. read -r -a bn <<<"$bp"
  for ((i = 0; ; i++)); do
    if ((i >= ${#an[@]} || i >= ${#bn[@]})); then
      if ((${#an[@]} == ${#bn[@]})); then echo 0; elif ((i >= ${#an[@]})); then echo -1; else echo 1; fi
      return
    fi
    x=${an[i]} y=${bn[i]}
    [ "$x" = "$y" ] && continue
    if [[ $x =~ ^[0-9]+$ && $y =~ ^[0-9]+$ ]]; then
      ((10#$x > 10#$y)) && echo 1 || echo -1
    elif [[ $x =~ ^[0-9]+$ ]]; then echo -1
    elif [[ $y =~ ^[0-9]+$ ]]; then echo 1
    elif [[ "$x" > "$y" ]]; then echo 1
    else echo -1
    fi
    return
  done
}
# True when the client already runs plugin $1 at the pinned version or newer.
client_current() {
  local have
  have=$(client_version "$1")
  [ -n "$have" ] && at_least "$have" "$(pinned_version "$1")"
}

ensure() {
  local tool=$1 name="docker-$1" have pinned
  pinned=$(pinned_version "$tool")
  [ -n "$pinned" ] || { log "tools/go-tools/$tool/go.mod pins no version"; exit 1; }
  have=$(client_version "$tool")
  if client_current "$tool"; then
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

# Sourced (tests call the functions above): defines them and runs nothing.
[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(compose buildx)
for t in "${tools[@]}"; do
  case $t in compose | buildx) ensure "$t" ;; *) log "unknown plugin $t (compose or buildx)"; exit 2 ;; esac
done
