import {
  createReplicaTableCache,
  deriveKeyPepper,
  loadKeyPrincipal,
  replicaTableKeys,
  type UsageStreamKeys,
} from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { type Logger, logConnectionLoss } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { subscribeToChanges } from "./auth/change-subscriber.ts";
import { KeyCache } from "./auth/key-cache.ts";
import { KeyUseRecorder } from "./auth/key-use-recorder.ts";
import { defaultVisionConfig, type GatewayConfig } from "./env.ts";
import { Limiter } from "./limits/limiter.ts";
import { UsageMeter } from "./metering/usage-meter.ts";
import { createMetrics, type GatewayMetrics } from "./metrics.ts";
import { ModelRouter } from "./routing/model-router.ts";
import { createUpstream, type Upstream } from "./upstream.ts";

/**
 * The gateway's infrastructure, built once at boot by `createServices` and passed to everything that
 * needs it. Tests build their own (real Postgres and Redis, the vLLM simulator) with `buildServices`.
 */
export interface GatewayServices {
  log: Logger;
  db: Db;
  /** Commands: admission, settlement, metering, readiness, replica-table reads. */
  redis: Redis;
  /** Subscribed to core's change channel and the replica table's; can do nothing else. */
  subscriber: Redis;
  /** Admissions go here, without auto-pipelining: one alone while none is in flight, else a turn's batch (`Limiter`). */
  admissionRedis?: Redis;
  /** Key for API-key HMACs, derived from PERIMETER_SECRET. */
  keyPepper: Uint8Array;
  keys: KeyCache;
  /** Resolves once the change subscription and the first replica-table read are done (they retry on their own). */
  ready: Promise<void>;
  keyUse: KeyUseRecorder;
  limiter: Limiter;
  meter: UsageMeter;
  router: ModelRouter;
  /** The default model's static upstream (`VLLM_URL`), when configured; readiness checks it. */
  upstream?: Upstream;
  protocol: GatewayConfig["protocol"];
  limits: GatewayConfig["limits"];
  vision: GatewayConfig["vision"];
  metrics: GatewayMetrics;
}

/** Everything `buildServices` needs besides the configuration's plain values. */
export interface ServiceParts {
  log: Logger;
  db: Db;
  redis: Redis;
  subscriber: Redis;
  /** Same server as `redis`, without auto-pipelining: the quiet path of admission. */
  admissionRedis?: Redis;
  keyPepper: Uint8Array;
  upstream?: Upstream;
  publicModel: string;
  aliases: readonly string[];
  protocol: GatewayConfig["protocol"];
  limits: GatewayConfig["limits"];
  /** The vision step's settings; `defaultVisionConfig` when omitted. */
  vision?: GatewayConfig["vision"];
  /** Upstream timeouts and fallback window for replica connection pools. */
  upstreamDefaults: { timeoutMs: number; fallbackMaxModelLen: number; apiKey?: string };
  /** How often key use is written to `lastUsedAt`. */
  keyUseIntervalMs?: number;
  /** The usage stream's keys (tests use a namespace of their own). */
  usageKeys?: UsageStreamKeys;
  /** The replica table's key prefix (tests use their own). */
  replicaTablePrefix?: string;
}

/** Wires the gateway's parts together and starts the change subscription and the replica table. */
export function buildServices(parts: ServiceParts): GatewayServices {
  const keys = new KeyCache((publicId) => loadKeyPrincipal(parts.db, publicId), {
    ttlMs: parts.limits.keyCacheTtlMs,
    negativeTtlMs: Math.min(5_000, parts.limits.keyCacheTtlMs),
    maxEntries: 50_000,
  });
  const router = new ModelRouter({
    defaultModel: parts.publicModel,
    aliases: parts.aliases,
    ...(parts.upstream ? { staticModel: { publicName: parts.publicModel, upstream: parts.upstream } } : {}),
    upstreamFor: (endpoint, servedModel, maxModelLen) =>
      createUpstream({
        url: endpoint,
        servedModel,
        ...(parts.upstreamDefaults.apiKey ? { apiKey: parts.upstreamDefaults.apiKey } : {}),
        fallbackMaxModelLen: maxModelLen ?? parts.upstreamDefaults.fallbackMaxModelLen,
        timeoutMs: parts.upstreamDefaults.timeoutMs,
      }),
  });
  const subscribed = subscribeToChanges(parts.subscriber, keys, parts.log);
  const replicas = createReplicaTableCache({
    redis: parts.redis,
    subscriber: parts.subscriber,
    keys: replicaTableKeys(parts.replicaTablePrefix),
    onError: (error) => parts.log.warn("replica table unavailable", { error: (error as Error).message }),
  }).then((cache) => router.useReplicaTable(cache));
  const ready = Promise.all([subscribed, replicas]).then(
    () => undefined,
    (error: Error) => parts.log.error("could not subscribe to changes or the replica table", { error: error.message }),
  );
  const meter = new UsageMeter(parts.redis, parts.log, {
    maxBuffered: parts.limits.usageBuffer,
    flushIntervalMs: 1_000,
    ...(parts.usageKeys ? { keys: parts.usageKeys } : {}),
  });
  return {
    log: parts.log,
    db: parts.db,
    redis: parts.redis,
    subscriber: parts.subscriber,
    keyPepper: parts.keyPepper,
    keys,
    ready,
    keyUse: new KeyUseRecorder(parts.db, parts.log, parts.keyUseIntervalMs ?? 30_000),
    ...(parts.admissionRedis ? { admissionRedis: parts.admissionRedis } : {}),
    limiter: new Limiter(parts.redis, {
      leaseTtlMs: parts.limits.leaseTtlMs,
      ...(parts.admissionRedis ? { direct: parts.admissionRedis } : {}),
      // A request's usage event is recorded as it settles: both leave in the settlement's write.
      alongSettlements: () => meter.sendPending(),
    }),
    meter,
    router,
    ...(parts.upstream ? { upstream: parts.upstream } : {}),
    protocol: parts.protocol,
    limits: parts.limits,
    vision: parts.vision ?? defaultVisionConfig,
    metrics: createMetrics(),
  };
}

export function createServices(config: GatewayConfig, log: Logger): GatewayServices {
  // Commands fail at once while Redis is away (no offline queue), so admission fails open or closed at
  // once instead of hanging, and a stuck Redis cannot hold a request longer than the command timeout.
  const commandOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000 };
  const redis = new Redis(config.redisUrl, {
    ...commandOptions,
    connectionName: "perimeter-gateway",
    enableAutoPipelining: true,
  });
  logConnectionLoss(redis, "redis", log);
  const admissionRedis = new Redis(config.redisUrl, {
    ...commandOptions,
    connectionName: "perimeter-gateway-admission",
  });
  logConnectionLoss(admissionRedis, "redis (admission)", log);
  const subscriber = new Redis(config.redisUrl, { connectionName: "perimeter-gateway-changes" });
  logConnectionLoss(subscriber, "redis (changes)", log);
  const { url, ...upstreamDefaults } = config.upstream;
  return buildServices({
    log,
    db: createDb(config.databaseUrl),
    redis,
    subscriber,
    admissionRedis,
    keyPepper: deriveKeyPepper(config.perimeterSecret),
    ...(url ? { upstream: createUpstream({ ...upstreamDefaults, url }) } : {}),
    upstreamDefaults,
    publicModel: config.models.publicName,
    aliases: config.models.aliases,
    protocol: config.protocol,
    limits: config.limits,
    vision: config.vision,
  });
}

/** Flushes what is buffered and releases every client; safe to call when a dependency is already unreachable. */
export async function closeServices(services: GatewayServices): Promise<void> {
  const { redis, subscriber, admissionRedis, db, upstream } = services;
  await Promise.allSettled([
    services.limiter.close(),
    services.meter.close(),
    services.keyUse.close(),
    services.router.close(),
  ]);
  await Promise.allSettled([
    // QUIT waits for a reply, which never comes from a Redis that is down; then just drop the socket.
    redis.status === "ready" ? redis.quit() : Promise.resolve(redis.disconnect()),
    subscriber.status === "ready" ? subscriber.quit() : Promise.resolve(subscriber.disconnect()),
    admissionRedis?.status === "ready" ? admissionRedis.quit() : Promise.resolve(admissionRedis?.disconnect()),
    db.$disconnect(),
    upstream?.close(),
  ]);
}

/**
 * Resolves once the command connections to Redis are ready, or after `timeoutMs` with false. The gateway
 * listens after this: a request that came in before would find admission unavailable and be let through
 * unchecked (or refused) by the Redis-failure policy, though Redis is merely still connecting.
 */
export async function waitForRedis(services: GatewayServices, timeoutMs: number): Promise<boolean> {
  const clients = [services.redis, services.admissionRedis].filter((client): client is Redis => client !== undefined);
  const deadline = Date.now() + timeoutMs;
  while (clients.some((client) => client.status !== "ready")) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
