# Perimeter vllm-sim: a vLLM stand-in serving umans-coder without a GPU, for evaluation and CI.
#   docker build -f deploy/docker/vllm-sim.Dockerfile -t perimeter/vllm-sim:0.1.0 .
# Air-gapped: --build-arg NODE_IMAGE=<your registry>/node:… and an npm mirror in an .npmrc passed as
# a build secret (--secret id=npmrc,src=$HOME/.npmrc). Nothing is downloaded when the container runs.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Only the simulator and the workspaces it needs, with a lockfile cut down to them.
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npx --yes turbo@2.11.11 prune @perimeter/vllm-sim --docker --out-dir /pruned

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

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="perimeter-vllm-sim" \
      org.opencontainers.image.description="Perimeter vllm-sim: a vLLM stand-in serving umans-coder without a GPU, for evaluation and CI"
ENV NODE_ENV=production VLLM_SIM_PORT=8000 VLLM_SIM_HOST=0.0.0.0
WORKDIR /app
# Files stay owned by root: the service user can read its code, not change it.
COPY --from=deps /app/ ./
COPY --from=prune /pruned/full/ ./
# turbo prune leaves out the root tsconfig that every workspace's tsconfig extends; tsx and Prisma read it.
COPY tsconfig.base.json ./
COPY deploy/docker/healthcheck.mjs /usr/local/lib/perimeter/healthcheck.mjs
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/perimeter/healthcheck.mjs", "VLLM_SIM_PORT", "8000", "/health"]
# Flags override the variables: e.g. --served-model-name, --max-model-len, --startup-ms (see its README).
CMD ["node", "packages/vllm-sim/bin/vllm-sim.mjs"]
