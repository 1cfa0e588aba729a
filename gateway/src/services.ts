import { deriveKeyPepper } from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { type Logger, logConnectionLoss } from "@perimeter/runtime";
import { Redis } from "ioredis";
import type { GatewayConfig } from "./env.ts";
import { createMetrics, type GatewayMetrics } from "./metrics.ts";
import { createModelCatalog, type ModelCatalog } from "./model-catalog.ts";
import { createUpstream, type Upstream } from "./upstream.ts";

/**
 * The gateway's infrastructure, built once at boot by `createServices` and passed to everything that
 * needs it. Tests build their own (real Postgres and Redis, the vLLM simulator) and pass those instead.
 */
export interface GatewayServices {
  log: Logger;
  db: Db;
  redis: Redis;
  /** Key for API-key HMACs, derived from PERIMETER_SECRET. */
  keyPepper: Uint8Array;
  /** The default model's vLLM server (readiness checks it). */
  upstream: Upstream;
  models: ModelCatalog;
  protocol: GatewayConfig["protocol"];
  metrics: GatewayMetrics;
}

export function createServices(config: GatewayConfig, log: Logger): GatewayServices {
  // Commands fail fast instead of queueing forever while Redis is away, so no request hangs on it.
  const redis = new Redis(config.redisUrl, { connectionName: "perimeter-gateway", maxRetriesPerRequest: 1 });
  logConnectionLoss(redis, "redis", log);
  const upstream = createUpstream(config.upstream);
  return {
    log,
    db: createDb(config.databaseUrl),
    redis,
    keyPepper: deriveKeyPepper(config.perimeterSecret),
    upstream,
    models: createModelCatalog(
      { publicName: config.models.publicName, servedName: config.upstream.servedModel, upstream },
      config.models.aliases,
    ),
    protocol: config.protocol,
    metrics: createMetrics(),
  };
}

/** Releases every client; safe to call when a dependency is already unreachable. */
export async function closeServices(services: GatewayServices): Promise<void> {
  const { redis, db, upstream } = services;
  await Promise.allSettled([
    // QUIT waits for a reply, which never comes from a Redis that is down; then just drop the socket.
    redis.status === "ready" ? redis.quit() : Promise.resolve(redis.disconnect()),
    db.$disconnect(),
    upstream.close(),
  ]);
}
