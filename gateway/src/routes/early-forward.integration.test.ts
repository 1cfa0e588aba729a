import { type Limits, setLimits } from "@perimeter/core";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { metricValue } from "../testing/metrics.ts";
import { startTestRedisServer, type TestRedisServer } from "../testing/redis-server.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

// When a request reaches vLLM relative to its admission. Admission and metering use a Redis of this file's
// own, which the tests pause (`CLIENT PAUSE`) to hold an admission's answer back; the simulator's request
// log says when each request arrived, and its metrics whether one was abandoned.

let redis: TestRedisServer;
let pauser: Redis;
let sim: RunningVllmSim;
/** How long Redis holds admissions back: far longer than the gateway takes to send a request on. */
const pauseMs = 1_200;

beforeAll(async () => {
  redis = await startTestRedisServer();
  pauser = new Redis(redis.url);
  sim = await startVllmSim();
});

afterAll(async () => {
  pauser?.disconnect();
  await sim?.close();
  await redis?.stop();
});

/** When each chat completion reached the simulator (epoch ms), oldest first. */
function arrivals(): number[] {
  return sim
    .requests()
    .filter((request) => request.path === "/v1/chat/completions")
    .map((request) => request.receivedAtMs);
}

/** How many of the simulator's requests ended because their client went away. */
function abandonedAtSim(): Promise<number> {
  return metricValue(sim.url, "vllm:request_success_total", { finished_reason: "abort" });
}

async function gatewayWith(limits: Limits): Promise<TestGateway> {
  const gw = await startTestGateway({
    databaseUrl: inject("databaseUrl"),
    redisUrl: inject("redisUrl"),
    commandRedisUrl: redis.url,
    upstreamUrl: sim.url,
  });
  const set = await setLimits(gw.ctx, { target: { type: "team", teamId: gw.team.team.id }, limits });
  if (!set.ok) throw new Error(set.code);
  return gw;
}

const apis = {
  messages: { path: "/v1/messages", body: userTurn("hi", { max_tokens: 16 }) },
  "chat completions": {
    path: "/v1/chat/completions",
    body: { model: "umans-coder-v0", max_tokens: 16, messages: [{ role: "user", content: "hi" }] },
  },
} as const;

/** This gateway's count of early forwards with `outcome` (`admitted` or `refused`), from `/metrics`. */
function earlyForwards(gw: TestGateway, outcome: "admitted" | "refused"): Promise<number> {
  return metricValue(gw.url, "perimeter_gateway_early_forwards_total", { outcome });
}

/** Sends a request of `api` while Redis is paused for `pauseMs`; when it reached vLLM and when it was answered. */
async function sendWhilePaused(gw: TestGateway, api: keyof typeof apis, pauseMs: number) {
  const before = arrivals().length;
  await pauser.call("CLIENT", "PAUSE", String(pauseMs), "ALL");
  const startedAt = Date.now();
  const res = await post(gw.url, apis[api].path, apis[api].body, { token: gw.token });
  const answeredAfterMs = Date.now() - startedAt;
  await res.text();
  const arrival = arrivals()[before];
  return { status: res.status, answeredAfterMs, reachedAfterMs: arrival ? arrival - startedAt : undefined };
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("a request far from its limits goes to vLLM while Redis admits it", () => {
  for (const api of Object.keys(apis) as (keyof typeof apis)[]) {
    it(`${api}: vLLM has it before the admission answers, the client only after`, async () => {
      const gw = await gatewayWith({ requestsPerMinute: 1_000, totalTokensPerDay: 1_000_000 });
      try {
        // The key's first request waits: nothing is known of its limits yet.
        const first = await sendWhilePaused(gw, api, pauseMs);
        expect(first.status).toBe(200);
        expect(first.reachedAfterMs).toBeGreaterThanOrEqual(pauseMs - 50);
        // The first left almost all of every limit: the second goes out during the (paused) admission.
        const second = await sendWhilePaused(gw, api, pauseMs);
        expect(second.status).toBe(200);
        expect(second.reachedAfterMs).toBeLessThan(pauseMs / 2);
        expect(second.answeredAfterMs).toBeGreaterThanOrEqual(pauseMs - 50);
        expect(await earlyForwards(gw, "admitted")).toBe(1);
        expect(await earlyForwards(gw, "refused")).toBe(0);
      } finally {
        await gw.stop();
      }
    });
  }

  it("a request that would take a limit past half waits for its admission", async () => {
    const gw = await gatewayWith({ requestsPerMinute: 3 });
    try {
      expect((await sendWhilePaused(gw, "messages", 10)).status).toBe(200);
      // Two of three left, and this one would leave one: under half.
      const next = await sendWhilePaused(gw, "messages", pauseMs);
      expect(next.status).toBe(200);
      expect(next.reachedAfterMs).toBeGreaterThanOrEqual(pauseMs - 50);
    } finally {
      await gw.stop();
    }
  });
});

describe("a refusal after the request went to vLLM", () => {
  it("is a 429 at once, vLLM's request is abandoned, and the key's next request waits for its admission", async () => {
    const gw = await gatewayWith({ requestsPerMinute: 4 });
    const other = await gw.newKey({ name: "teammate" });
    const send = (token: string) => post(gw.url, "/v1/messages", apis.messages.body, { token });
    try {
      // This key's first leaves 3 of the team's 4: its next is likely admitted (it would leave 2).
      expect((await send(gw.token)).status).toBe(200);
      // A teammate takes the rest of the team's minute in the meantime.
      for (let n = 0; n < 3; n++) expect((await send(other.token)).status).toBe(200);
      const before = arrivals().length;
      const abandonedBefore = await abandonedAtSim();
      // An answer that would take 3 s: the refusal comes first, and the simulator sees its client go.
      sim.enqueue({ content: "too late", delayFirstChunkMs: 3_000 });
      const startedAt = performance.now();
      const refused = await send(gw.token);
      const body = (await refused.json()) as { error: { type: string; message: string } };
      expect(refused.status).toBe(429);
      expect(body.error.type).toBe("rate_limit_error");
      expect(body.error.message).toContain("team.requests_per_minute allows 4 requests per minute");
      expect(refused.headers.get("x-should-retry")).toBe("true");
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      // vLLM had it, and was left before it answered.
      expect(arrivals()).toHaveLength(before + 1);
      await until(async () => (await abandonedAtSim()) === abandonedBefore + 1);
      expect(await abandonedAtSim()).toBe(abandonedBefore + 1);
      // After a refusal the key's requests wait for their admission again: this one never reaches vLLM.
      expect((await send(gw.token)).status).toBe(429);
      expect(arrivals()).toHaveLength(before + 1);
      expect(await earlyForwards(gw, "refused")).toBe(1);
      expect(await earlyForwards(gw, "admitted")).toBe(0);
    } finally {
      await gw.stop();
    }
  });
});
