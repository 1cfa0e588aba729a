import { createDb } from "@perimeter/db";
import { closeServer, listen, silentLogger } from "@perimeter/runtime";
import { closedPort } from "@perimeter/runtime/testing";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createServer } from "./server.ts";
import { closeServices, type GatewayServices } from "./services.ts";
import { createUpstream } from "./upstream.ts";

/** Starts a gateway in this process on a free port; the returned `stop` also releases its clients. */
async function startGateway(services: GatewayServices) {
  const server = createServer(services);
  const url = await listen(server, 0, "127.0.0.1");
  return {
    url,
    stop: async () => {
      await closeServer(server);
      await closeServices(services);
    },
  };
}

function healthyServices(upstreamUrl: string): GatewayServices {
  return {
    log: silentLogger,
    db: createDb(inject("databaseUrl"), { maxConnections: 2 }),
    redis: new Redis(inject("redisUrl")),
    upstream: createUpstream(upstreamUrl),
  };
}

describe("gateway health routes", () => {
  let sim: RunningVllmSim;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    sim = await startVllmSim();
    gateway = await startGateway(healthyServices(sim.url));
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

  it("HEAD / answers 204", async () => {
    const res = await fetch(gateway.url, { method: "HEAD" });
    expect(res.status).toBe(204);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
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

  beforeAll(async () => {
    sim = await startVllmSim();
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function readyz(services: GatewayServices) {
    const gateway = await startGateway(services);
    try {
      const res = await fetch(`${gateway.url}/readyz`);
      return { status: res.status, body: await res.json() };
    } finally {
      await gateway.stop();
    }
  }

  it("names the upstream when nothing listens at VLLM_BASE_URL", async () => {
    const services = healthyServices(`http://127.0.0.1:${await closedPort()}`);
    expect(await readyz(services)).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "ok", upstream: "error" } },
    });
  });

  it("names redis when Redis is unreachable", async () => {
    const services = healthyServices(sim.url);
    services.redis.disconnect();
    services.redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    services.redis.on("error", () => {});
    expect(await readyz(services)).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "ok", redis: "error", upstream: "ok" } },
    });
  });

  it("names postgres when the database is unreachable", async () => {
    const services = healthyServices(sim.url);
    await services.db.$disconnect();
    services.db = createDb(`postgresql://postgres@127.0.0.1:${await closedPort()}/none`);
    expect(await readyz(services)).toEqual({
      status: 503,
      body: { status: "unavailable", checks: { postgres: "error", redis: "ok", upstream: "ok" } },
    });
  });
});
