import { createDb } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { closedPort } from "@perimeter/runtime/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkWebHealth } from "./health";
import type { WebServices } from "./services";

describe("checkWebHealth", () => {
  let services: Pick<WebServices, "db" | "redis" | "log" | "keyPepper">;

  beforeAll(() => {
    services = {
      log: silentLogger,
      db: createDb(inject("databaseUrl"), { maxConnections: 2 }),
      redis: new Redis(inject("redisUrl")),
      keyPepper: new Uint8Array(32),
    };
  });

  afterAll(async () => {
    await services.db.$disconnect();
    await services.redis.quit();
  });

  it("is ok when Postgres and Redis answer", async () => {
    expect(await checkWebHealth(services)).toEqual({
      status: 200,
      body: { status: "ok", checks: { postgres: "ok", redis: "ok" } },
    });
  });

  it("answers 503 naming redis when Redis is unreachable", async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => {});
    expect(await checkWebHealth({ ...services, redis })).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "error" } },
    });
    redis.disconnect();
  });

  it("answers 503 naming postgres when the database is unreachable", async () => {
    const db = createDb(`postgresql://postgres@127.0.0.1:${await closedPort()}/none`);
    expect(await checkWebHealth({ ...services, db })).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "error", redis: "ok" } },
    });
    await db.$disconnect();
  });
});
