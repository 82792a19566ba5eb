#!/usr/bin/env bash
# Builds local stand-ins for the official base images on machines that cannot
# reach a container registry (air-gapped CI, this project's build hosts).
# Idempotent: an image that already exists is kept. All of them share one
# debootstrap rootfs, cached under $TODO_OFFLINE_CACHE.
#
# Afterwards: export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json
set -euo pipefail
cd "$(dirname "$0")/.."

# DOCKER and DOCKER_BUILD (BuildKit: buildx, else DOCKER_BUILDKIT=1) from the one detection.
eval "$(node scripts/docker-tools.cjs env)"
CACHE=${TODO_OFFLINE_CACHE:-/var/cache/todo-offline-bases}
ROOTFS=$CACHE/bookworm-minbase
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

BASE=todo-offline/debian:bookworm-minbase
PYTHON=todo-offline/python:3.11-bookworm
NODE=todo-offline/node:20-bookworm
RUNTIME=todo-offline/runtime:bookworm
POSTGRES=todo-offline/postgres:15-bookworm
# Stand-ins for the services of the e2e-stacks fixtures (docker/standins/); reach-probe stands
# in for application images of the import corpus (tests/e2e-stacks/corpus-both.e2e.test.ts),
# postgres-debian for the Debian postgres images (uid 999) on top of $POSTGRES.
STANDINS="redis:7.0-bookworm nginx:1.22-bookworm mariadb:10.11-bookworm python:3.11-bookworm-pip nextcloud:30-bookworm reach-probe:1-bookworm postgres-debian:15-bookworm"

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
# build_current IMAGE SOURCES BUILD-ARGS...: builds IMAGE unless it already carries the digest
# SOURCES of what it is built from (label todo.standin.sources), so a changed recipe rebuilds it.
build_current() {
  local image=$1 sources=$2; shift 2
  if [ "$("$DOCKER" image inspect -f '{{index .Config.Labels "todo.standin.sources"}}' "$image" 2>/dev/null)" = "$sources" ]; then
    say "$image is current"
  else
    say "building $image"
    build --label "todo.standin.sources=$sources" -t "$image" "$@"
  fi
}
say() { echo "offline-bases: $*" >&2; }
build() {
  [ -z "${DOCKER_PROBLEM:-}" ] || { say "$DOCKER_PROBLEM"; exit 1; }
  # shellcheck disable=SC2086 # DOCKER_BUILD is a command line: [VAR=value] docker build|buildx build --load
  nice env $DOCKER_BUILD --network=host "$@"
}

for tool in debootstrap "$DOCKER"; do
  command -v "$tool" >/dev/null || { say "$tool is missing: apt-get install -y debootstrap docker.io"; exit 1; }
done
[ -f "$CA_BUNDLE" ] || { say "$CA_BUNDLE is missing: apt-get install -y ca-certificates"; exit 1; }

if [ ! -d "$ROOTFS" ]; then
  say "debootstrap bookworm into $ROOTFS (about a minute)"
  rm -rf "$ROOTFS.tmp" && mkdir -p "$CACHE"
  nice debootstrap --variant=minbase bookworm "$ROOTFS.tmp" "$MIRROR" >"$CACHE/debootstrap.log"
  mv "$ROOTFS.tmp" "$ROOTFS"
fi

if have "$BASE"; then say "$BASE exists"; else
  say "importing $BASE"
  # TLS to the package registries only verifies with the host's CA bundle.
  mkdir -p "$ROOTFS/etc/ssl/certs" && cp "$CA_BUNDLE" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  tar -C "$ROOTFS" --exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/* \
      --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -c . \
    | "$DOCKER" import \
        --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
        --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
        --change 'CMD ["bash"]' - "$BASE" >/dev/null
fi

# apt installs Debian's ca-certificates with python3, whose bundle replaces the host's: the
# host's is copied back (a TLS-inspecting proxy's root is only in the host's), and pip, which
# reads its own vendored bundle, is pointed at it with PIP_CERT. Rebuilt when this recipe or
# the host's bundle changes.
PYTHON_DOCKERFILE=$(cat <<DOCKERFILE
FROM $BASE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
 && ln -s /usr/bin/python3 /usr/local/bin/python && rm -rf /var/lib/apt/lists/* /usr/share/doc /usr/share/man
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
DOCKERFILE
)
python_ctx=$(mktemp -d)
cp "$CA_BUNDLE" "$python_ctx/ca-certificates.crt"
printf '%s\n' "$PYTHON_DOCKERFILE" >"$python_ctx/Dockerfile"
build_current "$PYTHON" "$( { printf '%s' "$PYTHON_DOCKERFILE"; cat "$CA_BUNDLE"; } | sha256sum | cut -c1-16)" "$python_ctx"
rm -rf "$python_ctx"

if have "$NODE"; then say "$NODE exists"; else
  node_bin=$(readlink -f "${HOST_NODE:-$(command -v node)}")
  npm_dir=${HOST_NPM_DIR:-$(npm root -g)/npm}
  [ -x "$node_bin" ] && [ -f "$npm_dir/bin/npm-cli.js" ] || { say "need a host node and npm (set HOST_NODE, HOST_NPM_DIR)"; exit 1; }
  say "building $NODE from the host's node $("$node_bin" --version) ($node_bin + $npm_dir)"
  ctx=$(mktemp -d) && trap 'rm -rf "$ctx"' EXIT
  cp "$node_bin" "$ctx/node" && cp -a "$npm_dir" "$ctx/npm"
  # Same layout as the official node images, so Dockerfiles copy /usr/local/bin/node.
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
CMD ["node"]
DOCKERFILE
  build -t "$NODE" "$ctx"
fi

# Just enough of Debian for a dynamically linked node: glibc, libstdc++, a shell, id(1)
# and busybox's wget and timeout (alpine's, which health checks use); the counterpart of
# alpine:3.22 for glibc binaries. Rebuilt when this recipe changes (a label carries its digest).
RUNTIME_DOCKERFILE=$(cat <<'DOCKERFILE'
FROM todo-offline/debian:bookworm-minbase AS src
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox \
 && rm -rf /var/lib/apt/lists/*
RUN set -e; mkdir -p /out/etc/ssl/certs /out/tmp; chmod 1777 /out/tmp; \
  for f in $(dpkg -L libc6 libgcc-s1 libstdc++6 libselinux1 libpcre2-8-0 dash | grep '^/' | grep -v -e '^/usr/share' -e '^/\.$') /usr/bin/id /bin/busybox; do \
    [ -d "$f" ] && [ ! -L "$f" ] && continue; \
    d=$(cd "$(dirname "$f")" && pwd -P); mkdir -p "/out$d"; cp -a "$f" "/out$d/"; \
  done; \
  cp -a /bin /lib /lib64 /sbin /out/; ln -sf dash /out/usr/bin/sh; ln -sf /bin/busybox /out/usr/bin/wget; ln -sf /bin/busybox /out/usr/bin/timeout; \
  cp -a /etc/passwd /etc/group /etc/nsswitch.conf /out/etc/; \
  cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/
FROM scratch
COPY --from=src /out/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["sh"]
DOCKERFILE
)
printf '%s\n' "$RUNTIME_DOCKERFILE" | build_current "$RUNTIME" "$(printf '%s' "$RUNTIME_DOCKERFILE" | sha256sum | cut -c1-16)" -

if have "$POSTGRES"; then say "$POSTGRES exists"; else
  say "building $POSTGRES"
  build --build-arg BASE_IMAGE="$BASE" -t "$POSTGRES" docker/postgres
fi

# A stand-in is rebuilt when its folder or a base it builds on changes: the image carries a
# digest of its sources and of the bases' image IDs.
bases_id=$("$DOCKER" image inspect -f '{{.Id}}' "$BASE" "$PYTHON" | sha256sum | cut -c1-16)
for standin in $STANDINS; do
  image=todo-offline/$standin
  dir="docker/standins/${standin%%:*}"
  # postgres-debian builds on $POSTGRES, so its image ID counts too (for it alone: the others keep their digests).
  extra=""; [ "${standin%%:*}" != postgres-debian ] || extra=$("$DOCKER" image inspect -f '{{.Id}}' "$POSTGRES")
  sources=$( { cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; echo "$bases_id"; [ -z "$extra" ] || echo "$extra"; } | sha256sum | cut -c1-16)
  build_current "$image" "$sources" --build-arg BASE_IMAGE="$BASE" "$dir"
done

say "ready. Use them with: export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json"
