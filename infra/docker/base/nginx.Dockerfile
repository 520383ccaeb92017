# A stand-in for the official nginx image (>= 1.27.3, which resolves upstream servers at run
# time), built from Debian's package by scripts/build-base-images.sh. Like the official image it
# renders /etc/nginx/templates/*.template into /etc/nginx/conf.d/ at start (only the variables
# NGINX_ENVSUBST_FILTER matches, when set) and logs to stdout/stderr.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       nginx gettext-base >/dev/null \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log \
    && nginx -v
COPY nginx-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
