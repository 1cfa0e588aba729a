import path from "node:path";
import { type CoreContext, createApiKey, revokeApiKey, setLimits } from "@perimeter/core";
import { createTestTeam, createTestTenant, type TestTeam } from "@perimeter/core/testing";
import { createDb, type Db } from "@perimeter/db";
import { type SpawnedService, spawnService } from "@perimeter/runtime/testing";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { post, readEvents, userTurn } from "./testing/http.ts";

// Three gateway processes sharing one Redis and one vLLM, as replicas behind a load balancer would.
// The secret is the one core's test fixtures derive their key pepper from.
const secret = "perimeter-core-tests: not a production secret";
const workspace = path.resolve(import.meta.dirname, "..");

let sim: RunningVllmSim;
let db: Db;
let publisher: Redis;
let ctx: CoreContext;
let team: TestTeam;
let gateways: { process: SpawnedService; url: string }[] = [];

/** Redis database 11, so these processes' usage events never reach another test's (or a stack's) stream. */
function isolatedRedisUrl(): string {
  const url = new URL(inject("redisUrl"));
  url.pathname = "/11";
  return url.toString();
}

async function startGateway(extraEnv: Record<string, string> = {}) {
  const process = spawnService({
    cwd: workspace,
    env: {
      GATEWAY_PORT: "0",
      GATEWAY_HOST: "127.0.0.1",
      DATABASE_URL: inject("databaseUrl"),
      REDIS_URL: isolatedRedisUrl(),
      PERIMETER_SECRET: secret,
      VLLM_URL: sim.url,
      ...extraEnv,
    },
  });
  return { process, url: await process.listening() };
}

async function newKey(name: string) {
  const created = await createApiKey(ctx, { teamId: team.team.id, ownerUserId: team.developer.id, name });
  if (!created.ok) throw new Error(created.code);
  return created;
}

beforeAll(async () => {
  sim = await startVllmSim();
  db = createDb(inject("databaseUrl"), { maxConnections: 4 });
  publisher = new Redis(isolatedRedisUrl());
  const tenant = await createTestTenant(db);
  ctx = { ...tenant.ctx, changes: publisher };
  team = await createTestTeam(ctx);
  gateways = await Promise.all([startGateway(), startGateway(), startGateway({ GATEWAY_LEASE_TTL_MS: "1500" })]);
}, 60_000);

afterAll(async () => {
  for (const gateway of gateways) gateway.process.child.kill("SIGKILL");
  await Promise.all(gateways.map((gateway) => gateway.process.exit));
  publisher?.disconnect();
  await db?.$disconnect();
  await sim?.close();
});

describe("limits across three gateway processes", () => {
  it("300 concurrent requests against 50 requests/min admit exactly 50", async () => {
    const key = await newKey("exactness");
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { requestsPerMinute: 50 } });
    const statuses = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const gateway = gateways[i % gateways.length] as (typeof gateways)[number];
        const res = await post(gateway.url, "/v1/messages", userTurn(`request ${i}`, { max_tokens: 8 }), {
          token: key.secret,
        });
        await res.text();
        return res.status;
      }),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(statuses.filter((status) => status === 429)).toHaveLength(250);
  });

  it("a 100k-token daily budget is never exceeded: reservations cover every request's real use", async () => {
    const key = await newKey("budget");
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { totalTokensPerDay: 100_000 } });
    // Each request's real use: its prompt plus up to 2000 generated tokens (the default turn repeats).
    sim.setRules([{ when: {}, turn: { content: "tokens ".repeat(3000) } }]);
    const used: number[] = [];
    const statuses: number[] = [];
    // Twelve clients at a time (four per process) until 120 requests are sent: later requests find the
    // room earlier ones left when they settled.
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        for (let i = next++; i < 120; i = next++) {
          const gateway = gateways[i % gateways.length] as (typeof gateways)[number];
          const res = await post(
            gateway.url,
            "/v1/messages",
            userTurn("fill the budget ".repeat(20), { max_tokens: 2000 }),
            {
              token: key.secret,
            },
          );
          const body = (await res.json()) as { usage?: { input_tokens: number; output_tokens: number } };
          // Budgets count uncached input and output, as Anthropic's input limits do.
          if (res.status === 200 && body.usage) used.push(body.usage.input_tokens + body.usage.output_tokens);
          statuses.push(res.status);
        }
      }),
    );
    sim.setRules([]);
    const total = used.reduce((sum, tokens) => sum + tokens, 0);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(total).toBeLessThanOrEqual(100_000);
    // And the budget was really used up, to within one request's reservation.
    expect(total).toBeGreaterThan(100_000 - 2_500);
  });

  it("a key revoked through core stops on all three processes within a second", async () => {
    const key = await newKey("revoked");
    for (const gateway of gateways) {
      const res = await post(gateway.url, "/v1/messages", userTurn("warm the cache"), { token: key.secret });
      expect(res.status).toBe(200);
      await res.text();
    }
    const revokedAt = performance.now();
    await revokeApiKey(ctx, { keyId: key.key.id });
    const stoppedAfterMs = await Promise.all(
      gateways.map(async (gateway) => {
        for (;;) {
          const res = await post(gateway.url, "/v1/messages", userTurn("still?"), { token: key.secret });
          await res.text();
          if (res.status === 401) return performance.now() - revokedAt;
          if (performance.now() - revokedAt > 5_000) return Number.POSITIVE_INFINITY;
        }
      }),
    );
    for (const ms of stoppedAfterMs) expect(ms).toBeLessThan(1_000);
  });

  it("a gateway killed mid-stream holds its concurrency slot no longer than the lease", async () => {
    const key = await newKey("lease");
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { maxConcurrentRequests: 1 } });
    const doomed = gateways[2] as (typeof gateways)[number];
    const survivor = gateways[0] as (typeof gateways)[number];
    sim.enqueue({ content: "never finishes", delayFirstChunkMs: 60_000 });
    const stream = post(doomed.url, "/v1/messages", { ...userTurn("long"), stream: true }, { token: key.secret }).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = await post(survivor.url, "/v1/messages", userTurn("me too"), { token: key.secret });
    expect(busy.status).toBe(429);
    await busy.text();

    const killedAt = performance.now();
    doomed.process.child.kill("SIGKILL");
    await doomed.process.exit;
    await stream;
    let freedAfterMs = Number.POSITIVE_INFINITY;
    while (performance.now() - killedAt < 10_000) {
      const res = await post(survivor.url, "/v1/messages", userTurn("now?"), { token: key.secret });
      await res.text();
      if (res.status === 200) {
        freedAfterMs = performance.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The doomed gateway's lease lives 1.5 s without renewal; it was renewed at most 0.5 s before the kill.
    expect(freedAfterMs).toBeLessThan(1_500 + 500);
    gateways[2] = await startGateway({ GATEWAY_LEASE_TTL_MS: "1500" });
  });
});

describe("streams through a gateway process", () => {
  it("answer grammatically and carry the rate-limit headers", async () => {
    const key = await newKey("stream");
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { requestsPerMinute: 1000 } });
    const gateway = gateways[0] as (typeof gateways)[number];
    const res = await post(gateway.url, "/v1/messages", { ...userTurn("hello"), stream: true }, { token: key.secret });
    expect(res.headers.get("anthropic-ratelimit-requests-limit")).toBe("1000");
    expect((await readEvents(res)).at(-1)?.type).toBe("message_stop");
  });
});
