# syntax=docker/dockerfile:1
# AeThex Live: one image running every role (API, signaling, SFU, recorder, web app).
#
# Three stages, so the final image carries neither a C++ toolchain nor devDependencies:
#   worker   builds mediasoup's C++ worker from Debian's libraries (several minutes; cached as long
#            as the build script and its wrapper subprojects don't change)
#   build    installs node_modules against that worker, generates the Prisma client, builds the
#            web app, then drops devDependencies
#   runtime  Node, the worker's shared libraries, ffmpeg, and the app
# All three start from the same base, so the worker links exactly the libraries it will run with.
#
# Only the npm registry and Debian's apt repositories are needed at build time (no GitHub, no
# Prisma binary host), which is why the worker is built here rather than downloaded by mediasoup.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS worker

# meson + ninja, and the -dev packages of the library versions mediasoup 3.12.16 pins (abseil
# 20220623, libsrtp 2.5, libuv 1.44, OpenSSL 3.0, usrsctp, nlohmann-json, Catch2), all in Debian 12.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      meson ninja-build pkg-config g++ \
      libabsl-dev libsrtp2-dev libuv1-dev nlohmann-json3-dev libssl-dev libusrsctp-dev catch2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what shapes the worker: editing application code must not invalidate this slow layer.
COPY scripts/build-mediasoup-worker.sh scripts/
COPY scripts/mediasoup-worker-subprojects scripts/mediasoup-worker-subprojects

# The script prints the binary's path on its last stdout line (progress goes to stderr). Copy it
# to a fixed path so the later stages don't depend on the cache key inside that path.
ENV AETHEX_CACHE_DIR=/tmp/aethex-cache
# No pipe: `sh` has no pipefail, and a failed build must fail this step.
RUN set -eu; \
    out="$(bash scripts/build-mediasoup-worker.sh)"; \
    bin="$(printf '%s\n' "$out" | tail -n 1)"; \
    test -x "$bin"; \
    install -D -m 0755 "$bin" /opt/mediasoup/mediasoup-worker; \
    rm -rf "$AETHEX_CACHE_DIR"

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

WORKDIR /app
ENV MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker
COPY --from=worker /opt/mediasoup/mediasoup-worker /opt/mediasoup/mediasoup-worker

# Dependencies first, so a source change reuses the installed node_modules layer. With
# MEDIASOUP_WORKER_BIN set, mediasoup's postinstall skips its GitHub download and build.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .

# `prisma generate` needs no database, but without DATABASE_URL the CLI may try to fetch a query
# engine; any PostgreSQL URL keeps it on the js engine (see prisma.config.ts).
RUN DATABASE_URL=postgresql://build:build@localhost:5432/build npx prisma generate \
 && npm run build:web \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# The worker's shared libraries (libnss3 comes with Debian's libsrtp2, which uses NSS for crypto),
# ffmpeg for the recorder (HLS, VOD, thumbnails), and tini as PID 1: it forwards SIGTERM to Node
# and reaps any orphaned ffmpeg, which Node as PID 1 would leave as zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libabsl20220623 libssl3 libuv1 libsrtp2-1 libusrsctp2 libnss3 \
      ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

COPY --from=worker /opt/mediasoup/mediasoup-worker /opt/mediasoup/mediasoup-worker
# Fail the build, not the first start, if a shared library is missing: a worker started without
# MEDIASOUP_VERSION exits with 41 at once (the same probe mediasoup's postinstall uses); the
# dynamic loader would exit with 127.
RUN status=0; env -i /opt/mediasoup/mediasoup-worker </dev/null >/dev/null 2>&1 || status=$?; \
    if [ "$status" -ne 41 ]; then \
      echo "mediasoup-worker cannot start here (exit $status):"; ldd /opt/mediasoup/mediasoup-worker | grep 'not found'; exit 1; \
    fi

WORKDIR /app
# Left owned by root, so `node` can read but not rewrite the code it runs.
COPY --from=build /app /app

# /data holds the embedded database (when DATABASE_URL is unset), recordings and HLS output.
# Created here and owned by `node` so a fresh named volume mounted on it inherits that owner.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# In a container the app must listen on all interfaces (the defaults are loopback-only, which is
# right on a laptop). RTC_ANNOUNCED_ADDRESS has no sensible default inside a container: set it to
# the address browsers reach the host at (docker-compose.yml passes it through).
ENV NODE_ENV=production \
    MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    RTC_LISTEN_IP=0.0.0.0

USER node
# 8080 HTTP(S); 44400+ one UDP+TCP WebRTC port per mediasoup worker; 40000-44399 UDP for plain and
# pipe transports (narrow both with RTC_MIN_PORT/RTC_MAX_PORT and MEDIA_WORKERS when publishing).
EXPOSE 8080

# HTTPS when TLS_CERT is set; the probe talks to itself on loopback, so it skips certificate checks
# (the certificate names the public host, not 127.0.0.1).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["sh", "-c", "scheme=http; [ -n \"${TLS_CERT:-}\" ] && scheme=https; NODE_TLS_REJECT_UNAUTHORIZED=0 exec node --no-warnings -e \"fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))\" \"$scheme://127.0.0.1:${PORT:-8080}/healthz\""]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "server.ts"]
