import { createDb, type Db } from "@perimeter/db";
import { errorMessage, type Logger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import type { GatewayConfig } from "./env.ts";
import { createUpstream, type Upstream } from "./upstream.ts";

/**
 * The gateway's infrastructure, built once at boot by `createServices` and passed to everything that
 * needs it. Tests build their own (real Postgres and Redis, the vLLM simulator) and pass those instead.
 */
export interface GatewayServices {
  log: Logger;
  db: Db;
  redis: Redis;
  upstream: Upstream;
}

/**
 * An ioredis client that fails commands fast instead of queueing them forever while Redis is away,
 * and logs a lost connection once rather than on every reconnect attempt.
 */
export function createRedis(url: string, connectionName: string, log: Logger): Redis {
  const redis = new Redis(url, { connectionName, maxRetriesPerRequest: 1 });
  let failing = false;
  redis.on("error", (error: unknown) => {
    if (failing) return;
    failing = true;
    log.warn("redis unavailable", { error: errorMessage(error) });
  });
  redis.on("ready", () => {
    if (failing) log.info("redis reconnected");
    failing = false;
  });
  return redis;
}

export function createServices(config: GatewayConfig, log: Logger): GatewayServices {
  return {
    log,
    db: createDb(config.databaseUrl),
    redis: createRedis(config.redisUrl, "perimeter-gateway", log),
    upstream: createUpstream(config.vllmBaseUrl),
  };
}

/** Releases every client; safe to call when a dependency is already unreachable. */
export async function closeServices(services: GatewayServices): Promise<void> {
  const { redis, db } = services;
  await Promise.allSettled([
    // QUIT waits for a reply, which never comes from a Redis that is down; then just drop the socket.
    redis.status === "ready" ? redis.quit() : Promise.resolve(redis.disconnect()),
    db.$disconnect(),
  ]);
}
