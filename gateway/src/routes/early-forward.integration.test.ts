import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Limits, setLimits } from "@perimeter/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { startTestRedisServer, type TestRedisServer } from "../testing/redis-server.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

// When a request reaches vLLM relative to its admission. Admission and metering use a Redis of this file's
// own, which the tests pause (`CLIENT PAUSE`) to hold an admission's answer back; a stand-in vLLM of the
// test's own notes when each request arrives and whether it was abandoned.

interface Arrival {
  at: number;
  abandoned: boolean;
}

let redis: TestRedisServer;
let pauser: Redis;
let upstream: http.Server;
let upstreamUrl: string;
const arrivals: Arrival[] = [];
let answerDelayMs = 0;
/** How long Redis holds admissions back: far longer than the gateway takes to send a request on. */
const pauseMs = 1_200;

beforeAll(async () => {
  redis = await startTestRedisServer();
  pauser = new Redis(redis.url);
  upstream = http.createServer((req, res) => {
    if (req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    const arrival: Arrival = { at: performance.now(), abandoned: false };
    arrivals.push(arrival);
    res.on("close", () => {
      if (!res.writableFinished) arrival.abandoned = true;
    });
    req.resume();
    req.on("end", () => {
      const answer = JSON.stringify({
        id: "chatcmpl-early",
        object: "chat.completion",
        created: 1,
        model: "umans-coder",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end(answer);
      }, answerDelayMs);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  pauser?.disconnect();
  await new Promise((resolve) => upstream?.close(resolve));
  await redis?.stop();
});

async function gatewayWith(limits: Limits): Promise<TestGateway> {
  const gw = await startTestGateway({
    databaseUrl: inject("databaseUrl"),
    redisUrl: inject("redisUrl"),
    commandRedisUrl: redis.url,
    upstreamUrl,
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
async function earlyForwards(gw: TestGateway, outcome: "admitted" | "refused"): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text
    .split("\n")
    .find((entry) => entry.startsWith(`perimeter_gateway_early_forwards_total{outcome="${outcome}"}`));
  return Number(line?.split(" ")[1]);
}

/** Sends a request of `api` while Redis is paused for `pauseMs`; when it reached vLLM and when it was answered. */
async function sendWhilePaused(gw: TestGateway, api: keyof typeof apis, pauseMs: number) {
  const before = arrivals.length;
  await pauser.call("CLIENT", "PAUSE", String(pauseMs), "ALL");
  const startedAt = performance.now();
  const res = await post(gw.url, apis[api].path, apis[api].body, { token: gw.token });
  const answeredAfterMs = performance.now() - startedAt;
  await res.text();
  const arrival = arrivals[before];
  return { status: res.status, answeredAfterMs, reachedAfterMs: arrival ? arrival.at - startedAt : undefined };
}

async function until(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("a request far from its limits goes to vLLM while Redis admits it", () => {
  for (const api of Object.keys(apis) as (keyof typeof apis)[]) {
    it(`${api}: vLLM has it before the admission answers, the client only after`, async () => {
      answerDelayMs = 0;
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
    answerDelayMs = 0;
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
    answerDelayMs = 0;
    const gw = await gatewayWith({ requestsPerMinute: 4 });
    const other = await gw.newKey({ name: "teammate" });
    const send = (token: string) => post(gw.url, "/v1/messages", apis.messages.body, { token });
    try {
      // This key's first leaves 3 of the team's 4: its next is likely admitted (it would leave 2).
      expect((await send(gw.token)).status).toBe(200);
      // A teammate takes the rest of the team's minute in the meantime.
      for (let n = 0; n < 3; n++) expect((await send(other.token)).status).toBe(200);
      const before = arrivals.length;
      answerDelayMs = 3_000;
      const startedAt = performance.now();
      const refused = await send(gw.token);
      const body = (await refused.json()) as { error: { type: string; message: string } };
      expect(refused.status).toBe(429);
      expect(body.error.type).toBe("rate_limit_error");
      expect(body.error.message).toContain("team.requests_per_minute allows 4 requests per minute");
      expect(refused.headers.get("x-should-retry")).toBe("true");
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      // vLLM had it, and was left before it answered.
      expect(arrivals).toHaveLength(before + 1);
      await until(() => arrivals[before]?.abandoned === true);
      expect(arrivals[before]?.abandoned).toBe(true);
      // After a refusal the key's requests wait for their admission again: this one never reaches vLLM.
      expect((await send(gw.token)).status).toBe(429);
      expect(arrivals).toHaveLength(before + 1);
      expect(await earlyForwards(gw, "refused")).toBe(1);
      expect(await earlyForwards(gw, "admitted")).toBe(0);
    } finally {
      answerDelayMs = 0;
      await gw.stop();
    }
  });
});
