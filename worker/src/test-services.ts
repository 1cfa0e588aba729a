import { randomBytes } from "node:crypto";
import { usageStreamKeys } from "@perimeter/core";
import { createDb } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { createWorkerMetrics } from "./metrics.ts";
import type { WorkerServices } from "./services.ts";

/**
 * Services against the test run's Postgres and Redis, with a queue prefix of their own so parallel
 * tests (and a stack running on the same Redis) never see each other's jobs or usage streams. Tests whose
 * jobs act on every organization (rollups, retention) pass a scratch database of their own. Test-only.
 */
export function createTestServices(databaseUrl: string = inject("databaseUrl")): WorkerServices {
  const redisUrl = inject("redisUrl");
  const namespace = `perimeter-test-${randomBytes(4).toString("hex")}`;
  return {
    log: silentLogger,
    db: createDb(databaseUrl, { maxConnections: 2 }),
    redis: new Redis(redisUrl),
    queueConnection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    queuePrefix: namespace,
    metrics: createWorkerMetrics(silentLogger),
    usageKeys: usageStreamKeys(namespace),
    replicaTablePrefix: namespace,
    changeChannel: `${namespace}:changes`,
  };
}
