import { deriveKeyPepper, loadKeyPrincipal, type UsageStreamKeys } from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { type Logger, logConnectionLoss } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { subscribeToChanges } from "./auth/change-subscriber.ts";
import { KeyCache } from "./auth/key-cache.ts";
import { KeyUseRecorder } from "./auth/key-use-recorder.ts";
import type { GatewayConfig } from "./env.ts";
import { Limiter } from "./limits/limiter.ts";
import { UsageMeter } from "./metering/usage-meter.ts";
import { createMetrics, type GatewayMetrics } from "./metrics.ts";
import { createModelCatalog, type ModelCatalog } from "./model-catalog.ts";
import { createUpstream, type Upstream } from "./upstream.ts";

/**
 * The gateway's infrastructure, built once at boot by `createServices` and passed to everything that
 * needs it. Tests build their own (real Postgres and Redis, the vLLM simulator) with `buildServices`.
 */
export interface GatewayServices {
  log: Logger;
  db: Db;
  /** Commands: admission, settlement, metering, readiness. */
  redis: Redis;
  /** Subscribed to core's change channel; can do nothing else. */
  subscriber: Redis;
  /** Key for API-key HMACs, derived from PERIMETER_SECRET. */
  keyPepper: Uint8Array;
  keys: KeyCache;
  /** Resolves once the change subscription is active (it retries by itself while Redis is away). */
  changesSubscribed: Promise<void>;
  keyUse: KeyUseRecorder;
  limiter: Limiter;
  meter: UsageMeter;
  /** The default model's vLLM server (readiness checks it). */
  upstream: Upstream;
  models: ModelCatalog;
  protocol: GatewayConfig["protocol"];
  limits: GatewayConfig["limits"];
  metrics: GatewayMetrics;
}

/** Everything `buildServices` needs besides the configuration's plain values. */
export interface ServiceParts {
  log: Logger;
  db: Db;
  redis: Redis;
  subscriber: Redis;
  keyPepper: Uint8Array;
  upstream: Upstream;
  publicModel: string;
  aliases: readonly string[];
  protocol: GatewayConfig["protocol"];
  limits: GatewayConfig["limits"];
  /** How often key use is written to `lastUsedAt`. */
  keyUseIntervalMs?: number;
  /** The usage stream's keys (tests use a namespace of their own). */
  usageKeys?: UsageStreamKeys;
}

/** Wires the gateway's parts together and starts the change subscription. */
export function buildServices(parts: ServiceParts): GatewayServices {
  const keys = new KeyCache((publicId) => loadKeyPrincipal(parts.db, publicId), {
    ttlMs: parts.limits.keyCacheTtlMs,
    negativeTtlMs: Math.min(5_000, parts.limits.keyCacheTtlMs),
    maxEntries: 50_000,
  });
  const changesSubscribed = subscribeToChanges(parts.subscriber, keys, parts.log).catch((error: Error) => {
    parts.log.error("could not subscribe to key changes", { error: error.message });
  });
  return {
    log: parts.log,
    db: parts.db,
    redis: parts.redis,
    subscriber: parts.subscriber,
    keyPepper: parts.keyPepper,
    keys,
    changesSubscribed,
    keyUse: new KeyUseRecorder(parts.db, parts.log, parts.keyUseIntervalMs ?? 30_000),
    limiter: new Limiter(parts.redis, { leaseTtlMs: parts.limits.leaseTtlMs }),
    meter: new UsageMeter(parts.redis, parts.log, {
      maxBuffered: parts.limits.usageBuffer,
      flushIntervalMs: 1_000,
      ...(parts.usageKeys ? { keys: parts.usageKeys } : {}),
    }),
    upstream: parts.upstream,
    models: createModelCatalog(
      { publicName: parts.publicModel, servedName: parts.upstream.servedModel, upstream: parts.upstream },
      parts.aliases,
    ),
    protocol: parts.protocol,
    limits: parts.limits,
    metrics: createMetrics(),
  };
}

export function createServices(config: GatewayConfig, log: Logger): GatewayServices {
  // Commands fail at once while Redis is away (no offline queue), so admission fails open or closed at
  // once instead of hanging, and a stuck Redis cannot hold a request longer than the command timeout.
  const redis = new Redis(config.redisUrl, {
    connectionName: "perimeter-gateway",
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    enableAutoPipelining: true,
  });
  logConnectionLoss(redis, "redis", log);
  const subscriber = new Redis(config.redisUrl, { connectionName: "perimeter-gateway-changes" });
  logConnectionLoss(subscriber, "redis (changes)", log);
  return buildServices({
    log,
    db: createDb(config.databaseUrl),
    redis,
    subscriber,
    keyPepper: deriveKeyPepper(config.perimeterSecret),
    upstream: createUpstream(config.upstream),
    publicModel: config.models.publicName,
    aliases: config.models.aliases,
    protocol: config.protocol,
    limits: config.limits,
  });
}

/** Flushes what is buffered and releases every client; safe to call when a dependency is already unreachable. */
export async function closeServices(services: GatewayServices): Promise<void> {
  const { redis, subscriber, db, upstream } = services;
  services.limiter.close();
  await Promise.allSettled([services.meter.close(), services.keyUse.close()]);
  await Promise.allSettled([
    // QUIT waits for a reply, which never comes from a Redis that is down; then just drop the socket.
    redis.status === "ready" ? redis.quit() : Promise.resolve(redis.disconnect()),
    subscriber.status === "ready" ? subscriber.quit() : Promise.resolve(subscriber.disconnect()),
    db.$disconnect(),
    upstream.close(),
  ]);
}
