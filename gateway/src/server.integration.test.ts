import { createDb } from "@perimeter/db";
import { closedPort } from "@perimeter/runtime/testing";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestGateway, type TestGateway } from "./testing/test-gateway.ts";
import { createUpstream } from "./upstream.ts";

const urls = () => ({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });

describe("gateway health routes", () => {
  let sim: RunningVllmSim;
  let gateway: TestGateway;

  beforeAll(async () => {
    sim = await startVllmSim();
    gateway = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.close();
  });

  it("GET /healthz answers 200 with a request-id", async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("request-id")).toMatch(/^req_[0-9a-z]{26}$/);
  });

  it("GET /readyz answers 200 when Postgres, Redis and the upstream answer", async () => {
    const res = await fetch(`${gateway.url}/readyz`);
    expect(await res.json()).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok", upstream: "ok" } });
    expect(res.status).toBe(200);
  });

  it("T-26: HEAD /, HEAD /api/hello and HEAD under a prefix answer 204 without a key", async () => {
    for (const path of ["/", "/api/hello", "/anthropic"]) {
      const res = await fetch(`${gateway.url}${path}`, { method: "HEAD" });
      expect(res.status).toBe(204);
      expect(res.headers.get("request-id")).toMatch(/^req_/);
    }
  });

  it("GET /metrics answers Prometheus text that counts the requests answered", async () => {
    await fetch(`${gateway.url}/v1/messages`, { method: "POST", body: "{}" });
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/perimeter_gateway_requests_total\{route="messages",status="401",error_type=""\} [1-9]/);
    expect(text).toContain("perimeter_gateway_requests_in_flight");
  });

  it("answers unknown routes with Anthropic's not_found_error envelope and a fresh request-id", async () => {
    const first = await fetch(`${gateway.url}/v1/unknown?x=1`, { method: "POST" });
    const second = await fetch(`${gateway.url}/healthz/`);
    expect(first.status).toBe(404);
    const requestId = first.headers.get("request-id");
    expect(await first.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "Not found: POST /v1/unknown" },
      request_id: requestId,
    });
    expect(second.status).toBe(404);
    expect(second.headers.get("request-id")).not.toBe(requestId);
  });
});

describe("gateway readiness with a dependency down", () => {
  let sim: RunningVllmSim;
  let gateway: TestGateway;

  beforeAll(async () => {
    sim = await startVllmSim();
  });

  afterEach(async () => {
    await gateway?.stop();
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function readyz() {
    const res = await fetch(`${gateway.url}/readyz`);
    return { status: res.status, body: await res.json() };
  }

  it("names the upstream when nothing listens at VLLM_URL", async () => {
    gateway = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    await gateway.services.upstream?.close();
    gateway.services.upstream = createUpstream({
      url: `http://127.0.0.1:${await closedPort()}`,
      servedModel: "umans-coder",
      fallbackMaxModelLen: 1024,
      timeoutMs: 5_000,
    });
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "ok", upstream: "error" } },
    });
  });

  it("names redis when Redis is unreachable", async () => {
    gateway = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    gateway.services.redis.disconnect();
    gateway.services.redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    gateway.services.redis.on("error", () => {});
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "error", upstream: "ok" } },
    });
  });

  it("names postgres when the database is unreachable", async () => {
    gateway = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    await gateway.services.db.$disconnect();
    gateway.services.db = createDb(`postgresql://postgres@127.0.0.1:${await closedPort()}/none`);
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "error", redis: "ok", upstream: "ok" } },
    });
  });
});
