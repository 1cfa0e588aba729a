import http from "node:http";
import type { AddressInfo } from "node:net";
import { createDb } from "@perimeter/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkWebHealth } from "./health";
import type { WebServices } from "./services";

async function closedPort(): Promise<number> {
  const server = http.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("checkWebHealth", () => {
  let services: WebServices;

  beforeAll(() => {
    services = { db: createDb(inject("databaseUrl"), { maxConnections: 2 }), redis: new Redis(inject("redisUrl")) };
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
