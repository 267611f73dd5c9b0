# The SCIM bridge as one container: `halo-identity scim serve`, listening on plain HTTP at
# 0.0.0.0:8080 behind an ingress or reverse proxy that ends TLS (README: "The SCIM bridge").
#
#   docker build -t halo-identity .
#   docker run -d --name halo-identity -p 127.0.0.1:8080:8080 -v halo-identity-data:/data \
#     -e HALO_IDENTITY_SCIM_PUBLIC_URL=https://scim.contoso.example --env-file halo-identity.env \
#     halo-identity
#
# /data holds the mapping (halo-identity.yaml), the store (scim.db) and the mapping's state folder
# (.halo-identity/: journals, Halo's request log, read counts), so it must be writable and kept.
# Nothing secret is in the image: the mapping names its secrets as ${env:NAME}, given at run time.

# Both stages: the same Node major on the same Debian release, so the better-sqlite3 compiled in
# the first loads in the second.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
# The full image carries the toolchain node-gyp needs (python3, make, g++) and Node's own headers
# in /usr/local/include/node. better-sqlite3 is compiled from source against those headers: no
# prebuilt binary from GitHub, no header download from nodejs.org; the build reaches only the npm
# registry.
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY esbuild.mjs tsconfig.json ./
COPY schemas ./schemas
COPY src ./src
COPY webview ./webview
# Build, keep only the runtime dependencies (the CLI bundle leaves better-sqlite3 outside it), and
# fail here rather than at the first push if the native module does not load.
RUN npm run build \
 && npm prune --omit=dev \
 && node -e "const D = require('better-sqlite3'); new D(':memory:').close()"

FROM node:${NODE_VERSION}-bookworm-slim
LABEL org.opencontainers.image.title="halo-identity scim serve" \
      org.opencontainers.image.description="SCIM 2.0 bridge from Entra, Okta, OneLogin and JumpCloud provisioning into HaloPSA / HaloITSM" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
# Owned by root and read-only to the user the bridge runs as.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/cli.js ./dist/cli.js
# uid 1000 is the image's own `node` user; a number, so Kubernetes-style runAsNonRoot can check it.
RUN mkdir -p /data && chown 1000:1000 /data && chmod 0700 /data
VOLUME /data
# HALO_IDENTITY_SCIM_PUBLIC_URL is not set here on purpose: it is the deployment's own address, and
# without it (or --tls-cert/--tls-key) the bridge refuses to listen on 0.0.0.0.
ENV HALO_IDENTITY_MAPPING=/data/halo-identity.yaml \
    HALO_IDENTITY_SCIM_STORE=/data/scim.db \
    HALO_IDENTITY_SCIM_LISTEN=0.0.0.0:8080
USER 1000:1000
EXPOSE 8080
# No curl in the slim image: node asks /healthz on the port HALO_IDENTITY_SCIM_LISTEN names (over
# HTTPS when HALO_IDENTITY_SCIM_TLS_CERT is set; its own loopback, so the certificate is not checked).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const m = /:([0-9]+)$/.exec(process.env.HALO_IDENTITY_SCIM_LISTEN || ''); const tls = Boolean(process.env.HALO_IDENTITY_SCIM_TLS_CERT); require(tls ? 'https' : 'http').get({ host: '127.0.0.1', port: m ? Number(m[1]) : 8080, path: '/healthz', timeout: 4000, rejectUnauthorized: false }, (r) => { r.resume(); process.exit(r.statusCode === 200 ? 0 : 1); }).on('timeout', () => process.exit(1)).on('error', () => process.exit(1));"]
# Exec form: node is PID 1 and gets SIGTERM itself; scim serve then stops taking requests, answers
# those in flight, lets a running Halo sync finish and closes the store before it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js", "scim", "serve"]
