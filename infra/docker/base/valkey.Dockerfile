# A stand-in for the official valkey/valkey:9, built from Debian's package by
# scripts/build-base-images.sh: valkey-server and valkey-cli on PATH, data in /data (a volume),
# and an entrypoint that drops root to the `valkey` user, as the official image does.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       valkey-server valkey-tools >/dev/null \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir /data && chown valkey:valkey /data
COPY valkey-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["valkey-server"]
