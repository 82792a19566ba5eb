#!/usr/bin/env bash
# Puts the images that the manifests reference into the cluster's node, so
# imagePullPolicy IfNotPresent finds them without a registry:
#   - minikube (context `minikube`): `minikube image load REF`;
#   - the local cluster (context `local-cluster`, tools/local-cluster): `docker save REF… |
#     ctr -n k8s.io images import -`, the same thing minikube does inside its node;
#   - any other context: nothing is loaded; the node pulls, so push the images to a registry
#     it reaches first (the refs are printed).
# Built images are those of the build plan (`infra images plan`; todo-* without --spec).
# When TODO_IMAGE_MIRRORS maps an image to a local stand-in, the stand-in is loaded under the
# name the manifests use, as a node's registry mirror would serve it.
#   scripts/load-images.sh [--dry-run] [--dir dist/k8s/minikube] [--spec FILE] [--target auto|minikube|local-cluster|none]
# --dry-run prints the built image refs, one a line, and loads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=0
dir=dist/k8s/minikube
spec=""
target=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --dir) dir="${2:?--dir needs a directory}"; shift ;;
    --spec) spec="${2:?--spec needs a spec file}"; shift ;;
    --target) target="${2:?--target needs auto, minikube, local-cluster or none}"; shift ;;
    *) echo "load-images: unknown argument '$1'; use --dry-run, --dir DIR, --spec FILE and/or --target T" >&2; exit 2 ;;
  esac
  shift
done
case "$target" in auto|minikube|local-cluster|none) ;; *) echo "load-images: --target must be auto, minikube, local-cluster or none, not '$target'" >&2; exit 2 ;; esac

shopt -s nullglob
manifests=("$dir"/*.yaml)
if [ ${#manifests[@]} -eq 0 ]; then
  echo "load-images: no manifests in $dir; run 'npx nx run infra:synth' first" >&2
  exit 1
fi
# Every `image:` value, quotes stripped.
mapfile -t all < <(sed -nE "s/^[[:space:]-]*image:[[:space:]]*[\"']?([^\"'[:space:]]+).*/\1/p" "${manifests[@]}" | sort -u)
infra() { node tools/run-ts.mjs apps/infra/src/cli.ts images ${spec:+--spec "$spec"} "$@"; }
if [ -n "$spec" ]; then
  # The plan's repositories are the built images.
  repos=$(infra plan --official | node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8"));for(const b of p.builds)for(const r of b.repositories)console.log(r)')
  mapfile -t refs < <(printf '%s\n' "${all[@]}" | while read -r ref; do
    base=${ref%@*}; base=${base%:*}
    if grep -qxF "$base" <<<"$repos"; then echo "$ref"; fi
  done)
else
  mapfile -t refs < <(printf '%s\n' "${all[@]}" | grep -E '(^|/)todo-[a-z0-9.-]+(:|@)' || true)
fi
# A stack of published images only (--spec with no build) has nothing built to load; its
# images come through the mirror map below, or the node pulls them.
if [ ${#refs[@]} -eq 0 ] && [ -z "$spec" ]; then
  echo "load-images: no built image (todo-*) in $dir/*.yaml" >&2
  exit 1
fi
if [ "$dry_run" = 1 ]; then [ ${#refs[@]} -eq 0 ] || printf '%s\n' "${refs[@]}"; exit 0; fi

if [ "$target" = auto ]; then
  ctx=$(kubectl config current-context 2>/dev/null || true)
  case "$ctx" in
    minikube) target=minikube ;;
    local-cluster) target=local-cluster ;;
    *) target=none ;;
  esac
fi
if [ "$target" = none ]; then
  echo "load-images: context '$(kubectl config current-context 2>/dev/null || echo none)' is neither minikube nor the local cluster: nothing loaded. Its nodes pull these images, so push them to a registry they reach and point the manifests at it:" >&2
  printf '  %s\n' "${refs[@]}" >&2
  exit 0
fi

eval "$(node scripts/docker-tools.cjs env)"  # DOCKER: $DOCKER, else docker from PATH
# MANIFEST_REF SOURCE_REF pairs: built images as built here (stand-in bases are tagged
# apart), other images through TODO_IMAGE_MIRRORS when the engine holds the stand-in.
pairs=$(
  {
    [ ${#refs[@]} -eq 0 ] || printf 'built %s\n' "${refs[@]}"
    printf 'all %s\n' "${all[@]}"
    if [ -n "${TODO_IMAGE_MIRRORS:-}" ]; then
      echo "official $(infra plan --official | tr -d '\n')"
      echo "here $(infra plan | tr -d '\n')"
    fi
  } | node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    const built = new Set(), all = [], plans = {};
    for (const l of lines) {
      const [k, ...rest] = l.split(" "); const v = rest.join(" ");
      if (k === "built") built.add(v); else if (k === "all") all.push(v); else plans[k] = JSON.parse(v);
    }
    const map = {};
    if (plans.official) for (const [s, x] of Object.entries(plans.official.services)) map[x.ref] = plans.here.services[s].ref;
    let mirrors = {};
    const f = process.env.TODO_IMAGE_MIRRORS;
    if (f) mirrors = JSON.parse(require("fs").readFileSync(f, "utf8"));
    for (const ref of all) {
      if (built.has(ref)) console.log(`${ref} ${map[ref] ?? ref} built`);
      else if (mirrors[ref]) console.log(`${ref} ${mirrors[ref]} mirror`);
    }')
# The name containerd gives an image that Docker names REF (docker.io/library/ for short names).
docker_name() {
  local ref=$1 first=${1%%/*} last=${1##*/}
  # No tag and no digest: Docker means :latest.
  [[ "$last" == *:* || "$ref" == *@* ]] || ref="$ref:latest"
  if [[ "$ref" != */* ]]; then echo "docker.io/library/$ref"
  elif [[ "$first" == *.* || "$first" == *:* || "$first" == localhost ]]; then echo "$ref"
  else echo "docker.io/$ref"; fi
}
sources=() dests=()
while read -r dest src kind; do
  [ -n "$dest" ] || continue
  if ! "$DOCKER" image inspect "$src" >/dev/null 2>&1; then
    if [ "$kind" = built ]; then
      echo "load-images: $src is not in the local engine; build it first: npx nx run-many -t docker-build (or scripts/build-images.sh)" >&2
      exit 1
    fi
    echo "load-images: $dest: its stand-in $src is not in the engine; the node will try to pull $dest" >&2
    continue
  fi
  sources+=("$src"); dests+=("$dest")
done <<<"$pairs"

if [ ${#sources[@]} -eq 0 ]; then
  echo "load-images: nothing to load from the local engine; the node pulls every image of $dir" >&2
  exit 0
fi
case "$target" in
  minikube)
    command -v minikube >/dev/null || { echo "load-images: minikube is not installed" >&2; exit 1; }
    for i in "${!sources[@]}"; do
      echo "load-images: loading ${dests[$i]}"
      minikube image load "${sources[$i]}"
      # A stand-in gets the manifests' name inside minikube only, never in the local engine.
      [ "${sources[$i]}" = "${dests[$i]}" ] || minikube image tag "${sources[$i]}" "${dests[$i]}"
    done ;;
  local-cluster)
    lc=tools/local-cluster
    [ -S /run/todo-local-cluster/containerd.sock ] || { echo "load-images: the local cluster is not up: npx nx run local-cluster:up" >&2; exit 1; }
    # An image the node already holds under the manifests' name, with the same image ID, is
    # not sent again (docker save of a large base is most of a load).
    send=() held=()
    for i in "${!sources[@]}"; do
      if [ "$(bash "$lc/images.sh" config-id "$(docker_name "${dests[$i]}")")" = "$("$DOCKER" image inspect -f '{{.Id}}' "${sources[$i]}")" ]; then
        held+=("${dests[$i]}")
      else
        send+=("$i")
      fi
    done
    [ ${#held[@]} -eq 0 ] || echo "load-images: the node already holds ${held[*]}"
    if [ ${#send[@]} -gt 0 ]; then
      names=() srcs=()
      for i in "${send[@]}"; do names+=("${dests[$i]}"); srcs+=("${sources[$i]}"); done
      echo "load-images: loading ${names[*]} into the local cluster's node"
      # One archive stream for every image (shared layers are sent once).
      "$DOCKER" save "${srcs[@]}" | bash "$lc/images.sh" import >/dev/null
      for i in "${send[@]}"; do
        [ "${sources[$i]}" = "${dests[$i]}" ] || bash "$lc/images.sh" tag "$(docker_name "${sources[$i]}")" "$(docker_name "${dests[$i]}")"
      done
    fi ;;
esac
