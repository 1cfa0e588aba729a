import { randomBytes } from "node:crypto";
import { createDb } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { inject } from "vitest";
import type { WorkerServices } from "./services.ts";

/**
 * Services against the test run's Postgres and Redis, with a queue prefix of their own so parallel
 * tests (and a stack running on the same Redis) never see each other's jobs. Test-only.
 */
export function createTestServices(): WorkerServices {
  const redisUrl = inject("redisUrl");
  const prefix = `perimeter-test-${randomBytes(4).toString("hex")}`;
  return {
    log: silentLogger,
    db: createDb(inject("databaseUrl"), { maxConnections: 2 }),
    redis: new Redis(redisUrl),
    queueConnection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    queuePrefix: prefix,
    replicaTablePrefix: prefix,
  };
}
