import { appendUsageEvent, type UsageEventMessageInput } from "@perimeter/core";
import { createDb } from "@perimeter/db";
import { closeServer, listen } from "@perimeter/runtime";
import { closedPort } from "@perimeter/runtime/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHealthServer } from "./health-server.ts";
import { closeServices, type WorkerServices } from "./services.ts";
import { createTestServices } from "./test-services.ts";
import { startUsageConsumer, watchUsageStream } from "./usage/usage-consumer.ts";

async function probe(services: WorkerServices, path: string) {
  const server = createHealthServer(services);
  const url = await listen(server, 0, "127.0.0.1");
  try {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: await res.json() };
  } finally {
    await closeServer(server);
  }
}

describe("worker health server", () => {
  let services: WorkerServices;

  beforeAll(() => {
    services = createTestServices();
  });

  afterAll(async () => {
    await closeServices(services);
  });

  it("GET /healthz answers 200", async () => {
    expect(await probe(services, "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("GET /readyz answers 200 when Postgres and Redis answer", async () => {
    expect(await probe(services, "/readyz")).toEqual({
      status: 200,
      body: { status: "ready", checks: { postgres: "ok", redis: "ok" } },
    });
  });

  it("answers other paths with 404", async () => {
    expect((await probe(services, "/stats")).status).toBe(404);
  });

  it("GET /metrics serves Prometheus text with the usage backlog read from Redis", async () => {
    const consumer = startUsageConsumer(services, {
      keys: services.usageKeys,
      batchSize: 10,
      blockMs: 50,
      claimIdleMs: 60_000,
    });
    await consumer.started;
    await consumer.close();
    // Written once the consumer has stopped, so they wait in the stream as backlog.
    await appendUsageEvent(services.redis, { requestId: "req_x" } as UsageEventMessageInput, services.usageKeys);
    await appendUsageEvent(services.redis, { requestId: "req_y" } as UsageEventMessageInput, services.usageKeys);
    watchUsageStream(services, services.usageKeys);
    try {
      const server = createHealthServer(services);
      const url = await listen(server, 0, "127.0.0.1");
      const res = await fetch(`${url}/metrics`);
      const text = await res.text();
      await closeServer(server);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      expect(text).toMatch(/^perimeter_usage_stream_backlog 2$/m);
      expect(text).toMatch(/^perimeter_usage_stream_pending 0$/m);
      expect(text).toMatch(/^perimeter_usage_dead_letters 0$/m);
      expect(text).toMatch(/^perimeter_usage_ingestion_lag_seconds \d/m);
      expect(text).toContain("# TYPE perimeter_worker_job_duration_seconds histogram");
      expect(text).toContain("perimeter_worker_process_resident_memory_bytes");
    } finally {
      services.metrics.removeProbe("usage-stream");
      await services.redis.del(services.usageKeys.stream);
    }
  });

  it("GET /readyz names redis when Redis is unreachable", async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => {});
    expect(await probe({ ...services, redis }, "/readyz")).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "error" } },
    });
    redis.disconnect();
  });

  it("GET /readyz names postgres when the database is unreachable", async () => {
    const db = createDb(`postgresql://postgres@127.0.0.1:${await closedPort()}/none`);
    expect(await probe({ ...services, db }, "/readyz")).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "error", redis: "ok" } },
    });
    await db.$disconnect();
  });
});
