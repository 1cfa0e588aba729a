import { changeChannel, defaultUsageStreamKeys, type UsageStreamKeys } from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { type Logger, logConnectionLoss } from "@perimeter/runtime";
import { Redis } from "ioredis";
import type { WorkerConfig } from "./env.ts";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.ts";

/**
 * The worker's infrastructure, built once at boot by `createServices` and passed to the queues and the
 * health server. Tests build their own against the real Postgres and Redis and pass those instead.
 */
export interface WorkerServices {
  log: Logger;
  db: Db;
  /** For the worker's own commands (readiness, later the usage stream); fails fast when Redis is away. */
  redis: Redis;
  /**
   * For BullMQ only: it requires `maxRetriesPerRequest: null` so its blocking commands wait out a
   * Redis restart instead of failing. Shared by every queue; each BullMQ Worker duplicates it.
   */
  queueConnection: Redis;
  /** Key prefix of every BullMQ queue; tests use their own so they never touch a running stack's jobs. */
  queuePrefix: string;
  /** The worker's Prometheus registry, served on `/metrics`. */
  metrics: WorkerMetrics;
  /** Keys of the usage stream and its dead letters; tests use a namespace of their own. */
  usageKeys: UsageStreamKeys;
  /** Key prefix of the replica table the gateway reads (`replicaTableKeys` in core). */
  replicaTablePrefix: string;
  /** Where core announces changes (`changeChannel`); tests listen on a channel of their own. */
  changeChannel: string;
}

export const defaultQueuePrefix = "perimeter";

/** A client named `connectionName` (in Redis's CLIENT LIST and in the worker's logs). */
function connectRedis(url: string, connectionName: string, maxRetriesPerRequest: number | null, log: Logger): Redis {
  const redis = new Redis(url, { connectionName, maxRetriesPerRequest });
  logConnectionLoss(redis, "redis", log, { connection: connectionName });
  return redis;
}

export function createServices(config: WorkerConfig, log: Logger): WorkerServices {
  return {
    log,
    db: createDb(config.databaseUrl),
    redis: connectRedis(config.redisUrl, "perimeter-worker", 1, log),
    queueConnection: connectRedis(config.redisUrl, "perimeter-worker-queues", null, log),
    queuePrefix: defaultQueuePrefix,
    metrics: createWorkerMetrics(log),
    usageKeys: defaultUsageStreamKeys,
    replicaTablePrefix: defaultQueuePrefix,
    changeChannel,
  };
}

async function closeRedis(redis: Redis): Promise<void> {
  // QUIT waits for a reply, which never comes from a Redis that is down; then just drop the socket.
  if (redis.status === "ready") await redis.quit();
  else redis.disconnect();
}

/** Releases every client; call after the queues are closed. Safe when a dependency is unreachable. */
export async function closeServices(services: WorkerServices): Promise<void> {
  await Promise.allSettled([
    closeRedis(services.redis),
    closeRedis(services.queueConnection),
    services.db.$disconnect(),
  ]);
}
