# Perimeter web: the Next.js dashboard and the /api/v1 admin API.
#   docker build -f deploy/docker/web.Dockerfile -t perimeter/web:0.1.0 .
# Air-gapped: --build-arg NODE_IMAGE=<your registry>/node:… and an npm mirror in an .npmrc passed as
# a build secret (--secret id=npmrc,src=$HOME/.npmrc). Nothing is downloaded when the container runs.
#
# `next start` on the build output rather than Next's standalone server: standalone needs
# `output: "standalone"` in web/next.config.ts, and `next start` runs the configuration the tests run.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Only the web and the workspaces it needs, with a lockfile cut down to them.
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npx --yes turbo@2.11.11 prune @perimeter/web --docker --out-dir /pruned

# Production dependencies only. No install scripts: nothing here needs one, and some would download.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=prune /pruned/json/ ./
COPY deploy/docker/omit-dev-optional.mjs /tmp/
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node /tmp/omit-dev-optional.mjs

# The Prisma client (generated offline, as scripts/prisma-generate.mjs does), then `next build`, which
# reads no environment (web/lib/env.ts checks the configuration when `next start` boots).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NEXT_TELEMETRY_DISABLED=1
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npm ci --ignore-scripts --no-audit --no-fund
COPY --from=prune /pruned/full/ ./
# turbo prune leaves out the root tsconfig that every workspace's tsconfig extends; tsx and Prisma read it.
COPY tsconfig.base.json ./
COPY scripts/prisma-generate.mjs scripts/
# `next build` type-checks with the root tsconfig, which lists this declaration file.
COPY scripts/vitest-context.d.ts scripts/
RUN cd prisma && node ../scripts/prisma-generate.mjs
RUN cd web && node ../node_modules/next/dist/bin/next build && rm -rf .next/cache

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="perimeter-web" \
      org.opencontainers.image.description="Perimeter web: the dashboard and the admin API"
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 PERIMETER_EXPORT_DIR=/var/lib/perimeter/exports
WORKDIR /app
# Files stay owned by root: the service user can read its code, not change it.
COPY --from=deps /app/ ./
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
COPY --from=build /app/prisma/src/generated/ ./prisma/src/generated/
COPY --from=build /app/web/.next/ ./web/.next/
COPY deploy/docker/healthcheck.mjs /usr/local/lib/perimeter/healthcheck.mjs
# Owned by the service user, like the worker's: a named volume shared by both takes the ownership of
# whichever image mounts it first.
RUN mkdir -p /var/lib/perimeter/exports && chown node:node /var/lib/perimeter/exports
USER node
WORKDIR /app/web
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/perimeter/healthcheck.mjs", "PORT", "3000", "/api/health"]
# Exec form: node is PID 1 and gets SIGTERM itself. `next start` listens on $PORT.
CMD ["node", "../node_modules/next/dist/bin/next", "start", "--hostname", "0.0.0.0"]
