# Perimeter migrate: the offline migrator and first-run bootstrap, run once per install or upgrade.
#   docker build -f deploy/docker/migrate.Dockerfile -t perimeter/migrate:0.1.0 .
# Air-gapped: --build-arg NODE_IMAGE=<your registry>/node:… and an npm mirror in an .npmrc passed as
# a build secret (--secret id=npmrc,src=$HOME/.npmrc). Nothing is downloaded when the container runs.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Only the bootstrap (the deploy workspace) and the workspaces it needs, with a lockfile cut down to them.
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npx --yes turbo@2.11.11 prune @perimeter/deploy --docker --out-dir /pruned

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
LABEL org.opencontainers.image.title="perimeter-migrate" \
      org.opencontainers.image.description="Perimeter migrate: the offline migrator and first-run bootstrap, run once per install or upgrade"
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root: the service user can read its code, not change it.
COPY --from=deps /app/ ./
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
COPY --from=build /app/prisma/src/generated/ ./prisma/src/generated/
USER node
# A one-shot job: its exit code is its health.
HEALTHCHECK NONE
CMD ["node", "--import", "tsx", "deploy/src/bootstrap/main.ts"]
