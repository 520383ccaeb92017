#!/usr/bin/env bash
# Runs a command with a Docker engine and the three base images at hand, for the compose checks:
#   ./scripts/with-docker.sh npm run e2e -w @baton/e2e
# - Uses the engine that answers `docker info`; when none does and this is root, starts Debian's
#   dockerd itself and stops exactly that process (by PID) when the command ends.
# - When NODE_IMAGE/VALKEY_IMAGE/NGINX_IMAGE are unset and the official images can be neither
#   found nor pulled (no registry reachable), builds local stand-ins with
#   scripts/build-base-images.sh and exports their names for compose; PROMETHEUS_IMAGE likewise,
#   for the `observability` profile, which the compose e2e run turns on.
# Where no engine can be had, it prints one line saying why and skips the command: exit 0, but
# exit 1 under CI=true, where the compose checks must run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'with-docker: %s\n' "$*"; }
skip() {
  log "SKIPPED the compose checks: $*"
  if [ "${CI:-}" = "true" ]; then log "CI=true: the compose checks must run here"; exit 1; fi
  exit 0
}

command -v docker >/dev/null 2>&1 || skip "no docker CLI (./scripts/setup.sh installs Debian's docker.io)"
docker compose version >/dev/null 2>&1 || skip "no Compose v2 plugin (./scripts/setup.sh installs it)"

dockerd_pid=""
stop_engine() {
  [ -n "$dockerd_pid" ] || return 0
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$dockerd_pid" 2>/dev/null || true
}
trap stop_engine EXIT

if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || skip "no engine answers and dockerd is not installed"
  [ "$(id -u)" -eq 0 ] || skip "no engine answers, and starting dockerd needs root"
  run_dir=$(mktemp -d)
  log "starting dockerd (log: $run_dir/dockerd.log)"
  dockerd --pidfile "$run_dir/dockerd.pid" >"$run_dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -n 5 "$run_dir/dockerd.log"; dockerd_pid=""; skip "dockerd exited at start"; }
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -n 5 "$run_dir/dockerd.log"; skip "dockerd did not answer within 30 s"; }
fi

official_images_here() { # <image>...
  local image
  for image in "$@"; do
    docker image inspect "$image" >/dev/null 2>&1 || timeout 60 docker pull -q "$image" >/dev/null 2>&1 || return 1
  done
}
if [ -z "${NODE_IMAGE:-}${VALKEY_IMAGE:-}${NGINX_IMAGE:-}" ] &&
  ! official_images_here node:24-slim valkey/valkey:9 nginx:1.27; then
  log "the official base images cannot be pulled here: using local stand-ins"
  ./scripts/build-base-images.sh
  export NODE_IMAGE=baton-local/node:24 VALKEY_IMAGE=baton-local/valkey:9 NGINX_IMAGE=baton-local/nginx:1
fi
# Apart: NODE_IMAGE and the others exported by hand must not leave the profile on an image
# that cannot be pulled (compose.yaml's default, the official one).
if [ -z "${PROMETHEUS_IMAGE:-}" ] && ! official_images_here prom/prometheus:v2.53.0; then
  log "the official Prometheus image cannot be pulled here: using the local stand-in"
  ./scripts/build-base-images.sh
  export PROMETHEUS_IMAGE=baton-local/prometheus:2
fi

status=0
"$@" || status=$?
exit "$status"
