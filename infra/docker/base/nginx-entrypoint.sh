#!/bin/sh
# Renders every /etc/nginx/templates/<name>.template to /etc/nginx/conf.d/<name> with envsubst,
# substituting only the environment variables whose names match NGINX_ENVSUBST_FILTER (an
# extended regular expression; all of them when unset), so nginx's own $variables survive.
set -e
if [ -d /etc/nginx/templates ]; then
  names=$(env | cut -d= -f1 | grep -E -- "${NGINX_ENVSUBST_FILTER:-.}" || true)
  list=$(for name in $names; do printf '${%s} ' "$name"; done)
  for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    target="/etc/nginx/conf.d/$(basename "$template" .template)"
    envsubst "$list" < "$template" > "$target"
  done
fi
exec "$@"
