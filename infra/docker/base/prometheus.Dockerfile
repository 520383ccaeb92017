# A stand-in for the official Prometheus image, built from Debian's package by
# scripts/build-base-images.sh. Like the official image: /bin/prometheus as the entrypoint (Debian's
# merged /usr makes /usr/bin/prometheus that path),
# the config in /etc/prometheus/prometheus.yml, the data in /prometheus, port 9090.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       prometheus >/dev/null \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /prometheus && chown prometheus: /prometheus \
    && prometheus --version
USER prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
