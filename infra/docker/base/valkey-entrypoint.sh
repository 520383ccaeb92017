#!/bin/sh
# `valkey-server …` (or only its flags) runs as the unprivileged `valkey` user, owning /data, so
# the AOF in a named volume is writable; any other command runs as given.
set -e
case "$1" in -*) set -- valkey-server "$@" ;; esac
if [ "$1" = valkey-server ] && [ "$(id -u)" = 0 ]; then
  chown -R valkey:valkey /data
  exec setpriv --reuid=valkey --regid=valkey --init-groups "$@"
fi
exec "$@"
