# A stand-in for the official node:24-slim, for machines that reach no container registry:
# Debian, the official Node 24 binary (as the npm registry ships it), npm, and the `node` user
# (uid 1000). Built by scripts/build-base-images.sh, never tagged with the official name.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /usr/local/share/baton/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
    && node --version && npm --version
# The host's trust store: on a machine whose egress re-signs TLS, `npm ci` inside a build reaches
# the registry only when Node trusts what the host trusts.
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/baton/ca-certificates.crt
CMD ["node"]
