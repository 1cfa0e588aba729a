import { usageStreamKeys } from "@perimeter/core";
import { randomBase32 } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedisServer, type TestRedisServer } from "../testing/redis-server.ts";
import { UsageMeter } from "./usage-meter.ts";

let server: TestRedisServer;

beforeAll(async () => {
  server = await startTestRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

function event(n: number) {
  return {
    requestId: `req_${n.toString(36).padStart(26, "0")}`,
    orgId: "org_test",
    model: "umans-coder-v0",
    status: 200,
    startedAt: new Date(),
    eventTime: new Date(),
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("UsageMeter while Redis is away", () => {
  it("buffers events, then sends them all, in order, when Redis is back", async () => {
    const keys = usageStreamKeys(`meter-${randomBase32(6)}`);
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => {});
    const meter = new UsageMeter(redis, silentLogger, { maxBuffered: 100, flushIntervalMs: 50, keys });
    try {
      await until(async () => redis.status === "ready");
      meter.record(event(0));
      await until(async () => (await redis.xlen(keys.stream)) === 1);
      await server.stop();
      for (let n = 1; n <= 10; n++) meter.record(event(n));
      await until(async () => meter.buffered === 10);
      expect(meter.buffered).toBe(10);
      await server.start();
      await until(async () => meter.buffered === 0 && redis.status === "ready");
      const entries = await redis.xrange(keys.stream, "-", "+");
      // The one sent before the outage was lost with the server (nothing persisted); the ten buffered made it.
      expect(entries.map(([, fields]) => JSON.parse(fields[3] ?? "{}").requestId)).toEqual(
        Array.from({ length: 10 }, (_, i) => event(i + 1).requestId),
      );
    } finally {
      await meter.close();
      redis.disconnect();
    }
  });

  it("drops the oldest events beyond its bound and counts them", async () => {
    const keys = usageStreamKeys(`meter-${randomBase32(6)}`);
    const redis = new Redis("redis://127.0.0.1:1", {
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    redis.on("error", () => {});
    const meter = new UsageMeter(redis, silentLogger, { maxBuffered: 5, flushIntervalMs: 10_000, keys });
    for (let n = 0; n < 8; n++) meter.record(event(n));
    await until(async () => meter.buffered === 5 && meter.dropped === 3, 3_000);
    expect([meter.buffered, meter.dropped]).toEqual([5, 3]);
    await meter.close();
    redis.disconnect();
  });
});

describe("UsageMeter batches", () => {
  it("sends the events of a few milliseconds in one call, and sends them at close", async () => {
    const keys = usageStreamKeys(`meter-${randomBase32(6)}`);
    const redis = new Redis(server.url);
    const meter = new UsageMeter(redis, silentLogger, {
      maxBuffered: 100,
      flushIntervalMs: 10_000,
      batchMs: 200,
      keys,
    });
    try {
      await until(async () => redis.status === "ready");
      meter.record(event(0));
      await new Promise((resolve) => setTimeout(resolve, 50));
      meter.record(event(1));
      // Both wait for the batch: nothing is in the stream before its 200 ms are up.
      expect(await redis.xlen(keys.stream)).toBe(0);
      await until(async () => (await redis.xlen(keys.stream)) === 2, 2_000);
      expect(await redis.xlen(keys.stream)).toBe(2);
      meter.record(event(2));
      await meter.close();
      expect(await redis.xlen(keys.stream)).toBe(3);
    } finally {
      redis.disconnect();
    }
  });

  it("sends the events of one turn as one entry each, in order, in batches of at most 500", async () => {
    const keys = usageStreamKeys(`meter-${randomBase32(6)}`);
    const redis = new Redis(server.url);
    const meter = new UsageMeter(redis, silentLogger, { maxBuffered: 100, flushIntervalMs: 10_000, keys });
    try {
      for (let n = 0; n < 1_200; n++) meter.record(event(n));
      await until(async () => (await redis.xlen(keys.stream)) === 1_200);
      const entries = await redis.xrange(keys.stream, "-", "+");
      expect(entries.map(([, fields]) => JSON.parse(fields[3] ?? "{}").requestId)).toEqual(
        Array.from({ length: 1_200 }, (_, n) => event(n).requestId),
      );
      expect(entries[0]?.[1].slice(0, 2)).toEqual(["v", "1"]);
      expect(meter.buffered).toBe(0);
    } finally {
      await meter.close();
      redis.disconnect();
    }
  });
});
