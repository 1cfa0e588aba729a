# Perimeter worker: usage ingestion, rollups, exports, housekeeping and the vLLM deployment reconciler.
#   docker build -f deploy/docker/worker.Dockerfile -t perimeter/worker:0.1.0 .
# Air-gapped: --build-arg NODE_IMAGE=<your registry>/node:… and an npm mirror in an .npmrc passed as
# a build secret (--secret id=npmrc,src=$HOME/.npmrc). Nothing is downloaded when the container runs.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Only the worker and the workspaces it needs, with a lockfile cut down to them.
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npx --yes turbo@2.11.11 prune @perimeter/worker --docker --out-dir /pruned

# Production dependencies only. No install scripts: nothing here needs one, and some would download.
# tsx runs the TypeScript entry points, so the build stops here if the lockfile no longer provides it.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=prune /pruned/json/ ./
COPY deploy/docker/omit-dev-optional.mjs /tmp/
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node /tmp/omit-dev-optional.mjs \
 && test -f node_modules/tsx/package.json

# The Prisma client, generated offline as scripts/prisma-generate.mjs does for npm start.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npm ci --ignore-scripts --no-audit --no-fund
COPY --from=prune /pruned/full/ ./
# turbo prune leaves out the root tsconfig that every workspace's tsconfig extends; tsx and Prisma read it.
COPY tsconfig.base.json ./
COPY scripts/prisma-generate.mjs scripts/
RUN cd prisma && node ../scripts/prisma-generate.mjs

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="perimeter-worker" \
      org.opencontainers.image.description="Perimeter worker: usage ingestion, rollups, exports, housekeeping and the vLLM deployment reconciler"
ENV NODE_ENV=production WORKER_PORT=4100 WORKER_HOST=0.0.0.0 PERIMETER_EXPORT_DIR=/var/lib/perimeter/exports
WORKDIR /app
# Files stay owned by root: the service user can read its code, not change it.
COPY --from=deps /app/ ./
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
COPY --from=build /app/prisma/src/generated/ ./prisma/src/generated/
COPY deploy/docker/healthcheck.mjs /usr/local/lib/perimeter/healthcheck.mjs
# Export files land here; mount a volume (shared with the web) to keep them.
RUN mkdir -p /var/lib/perimeter/exports && chown node:node /var/lib/perimeter/exports
USER node
EXPOSE 4100
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/perimeter/healthcheck.mjs", "WORKER_PORT", "4100", "/healthz"]
# Exec form: node is PID 1 and gets SIGTERM itself, so a running batch is acknowledged before exit.
CMD ["node", "--import", "tsx", "worker/src/main.ts"]
