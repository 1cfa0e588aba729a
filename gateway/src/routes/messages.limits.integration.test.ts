import { type Limits, revokeApiKey, setLimits, usageEventMessageSchema } from "@perimeter/core";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { post, readEvents, userTurn } from "../testing/http.ts";
import { startTestRedisServer } from "../testing/redis-server.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

const urls = () => ({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });
let sim: RunningVllmSim;

beforeAll(async () => {
  sim = await startVllmSim();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => sim.reset());

/** A gateway whose team (or key) has exactly `limits`. */
async function gatewayWith(limits: Limits, target: "team" | "key" | "member" = "team"): Promise<TestGateway> {
  const gw = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
  const where =
    target === "team"
      ? { type: "team" as const, teamId: gw.team.team.id }
      : target === "key"
        ? { type: "key" as const, apiKeyId: gw.key.id }
        : { type: "member" as const, memberId: gw.team.member.id };
  const set = await setLimits(gw.ctx, { target: where, limits });
  if (!set.ok) throw new Error(set.code);
  return gw;
}

async function send(gw: TestGateway, body: Record<string, unknown> = userTurn("hi", { max_tokens: 16 })) {
  const res = await post(gw.url, "/v1/messages", body, { token: gw.token });
  return { res, body: (await res.json()) as { type: string; error?: { type: string; message: string } } };
}

/** The usage events this gateway metered, oldest first. */
async function meteredEvents(gw: TestGateway) {
  const entries = await gw.services.redis.xrange(gw.usageKeys.stream, "-", "+");
  return entries.map(([, fields]) => usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}")));
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("429s for every kind of limit", () => {
  it("requests per minute: rate_limit_error, integer retry-after ≤ 60, x-should-retry true, headers", async () => {
    const gw = await gatewayWith({ requestsPerMinute: 2 });
    try {
      for (let i = 0; i < 2; i++) {
        sim.enqueue({ content: "ok" });
        const { res } = await send(gw);
        expect(res.status).toBe(200);
        expect(res.headers.get("anthropic-ratelimit-requests-limit")).toBe("2");
        expect(res.headers.get("anthropic-ratelimit-requests-remaining")).toBe(String(1 - i));
      }
      const { res, body } = await send(gw);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.headers.get("x-should-retry")).toBe("true");
      expect(res.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
      expect(Date.parse(res.headers.get("anthropic-ratelimit-requests-reset") ?? "")).toBeGreaterThan(Date.now());
      expect(body).toEqual({
        type: "error",
        error: {
          type: "rate_limit_error",
          message: `rate limit exceeded: team.requests_per_minute allows 2 requests per minute; retry in ${retryAfter} s`,
        },
        request_id: res.headers.get("request-id"),
      });
    } finally {
      await gw.stop();
    }
  });

  it("output tokens per minute: max_tokens is reserved and the unused part refunded at the end", async () => {
    const gw = await gatewayWith({ outputTokensPerMinute: 1000 });
    try {
      sim.enqueue({ content: "five tokens or so" });
      const first = await send(gw, userTurn("hi", { max_tokens: 600 }));
      expect(first.res.status).toBe(200);
      // Reserved 600 at admission: 400 left in that request's headers.
      expect(first.res.headers.get("anthropic-ratelimit-output-tokens-remaining")).toBe("400");
      // Settled with the few tokens really generated: 900 more fit in the same minute (600 + 900 would not)…
      sim.enqueue({ content: "again" });
      const second = await eventually(
        () => send(gw, userTurn("hi", { max_tokens: 900 })),
        (result) => result.res.status === 200,
      );
      expect(second.res.status).toBe(200);
      // …but not a whole minute's worth: what the two used stays in the window for a minute.
      const third = await send(gw, userTurn("hi", { max_tokens: 1000 }));
      expect(third.res.status).toBe(429);
      expect(third.body.error?.message).toMatch(
        /^rate limit exceeded: team\.output_tokens_per_minute allows 1000 output tokens per minute/,
      );
    } finally {
      await gw.stop();
    }
  });

  it("input tokens per minute: the prompt estimate is reserved", async () => {
    const gw = await gatewayWith({ inputTokensPerMinute: 500 }, "key");
    try {
      sim.enqueue({ content: "ok" });
      expect((await send(gw, userTurn("a short prompt"))).res.status).toBe(200);
      const { res, body } = await send(gw, userTurn("a long prompt ".repeat(120)));
      expect(res.status).toBe(429);
      expect(body.error?.message).toMatch(
        /^rate limit exceeded: key\.input_tokens_per_minute allows 500 input tokens per minute/,
      );
      expect(res.headers.get("anthropic-ratelimit-input-tokens-limit")).toBe("500");
    } finally {
      await gw.stop();
    }
  });

  it("concurrent requests: a second request while one streams is refused, and passes once it ends", async () => {
    const gw = await gatewayWith({ maxConcurrentRequests: 1 }, "member");
    try {
      sim.enqueue({ content: "slow answer", delayFirstChunkMs: 400 });
      const slow = post(gw.url, "/v1/messages", { ...userTurn("slow"), stream: true }, { token: gw.token });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { res, body } = await send(gw);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.headers.get("x-should-retry")).toBe("true");
      expect(body.error?.message).toBe(
        "too many requests at once: member.max_concurrent_requests allows 1 in flight; retry when one has finished",
      );
      await readEvents(await slow);
      sim.enqueue({ content: "now" });
      const after = await eventually(
        () => send(gw),
        (result) => result.res.status === 200,
      );
      expect(after.res.status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  const long = "word ".repeat(3000);
  it.each([
    // [limit field, its name, the unit in messages, limit, first request, second request]
    [
      "outputTokensPerWeek",
      "team.output_tokens_per_week",
      "output tokens per week",
      300,
      { max_tokens: 250 },
      { max_tokens: 100 },
    ],
    [
      "totalTokensPerDay",
      "team.total_tokens_per_day",
      "tokens per day",
      1000,
      { max_tokens: 700 },
      { max_tokens: 400 },
    ],
    [
      "inputTokensPerMonth",
      "team.input_tokens_per_month",
      "input tokens per month",
      2000,
      { prompt: "lorem ipsum ".repeat(330) },
      { prompt: "lorem ipsum ".repeat(330) },
    ],
  ] as const)(
    "budget %s: T-24 billing_error, x-should-retry false, retry-after = seconds to the reset",
    async (field, name, unit, limit, first, second) => {
      const gw = await gatewayWith({ [field]: limit });
      const request = (shape: { max_tokens?: number; prompt?: string }) =>
        userTurn(shape.prompt ?? "hi", { max_tokens: shape.max_tokens ?? 16 });
      try {
        // The first request uses a good part of the budget (the simulator writes until max_tokens).
        sim.enqueue({ content: long });
        expect((await send(gw, request(first))).res.status).toBe(200);
        // The second would fit an empty budget, not what is left: refused until the period resets.
        const { res, body } = await eventually(
          () => send(gw, request(second)),
          (result) => result.res.status === 429,
        );
        expect(res.status).toBe(429);
        expect(res.headers.get("x-should-retry")).toBe("false");
        const retryAfter = Number(res.headers.get("retry-after") ?? "");
        expect(Number.isInteger(retryAfter)).toBe(true);
        const reset = Date.parse(res.headers.get("anthropic-ratelimit-tokens-reset") ?? "");
        expect(Math.abs(Date.now() + retryAfter * 1000 - reset)).toBeLessThan(2_000);
        expect(body.error?.type).toBe("billing_error");
        const pattern = `^token budget exhausted: ${name.replaceAll(".", "\\.")} allows ${limit} ${unit}, \\d+ left, this request may need \\d+; resets \\d{4}-\\d\\d-\\d\\d 00:00 UTC \\(\\d{4}-`;
        expect(body.error?.message).toMatch(new RegExp(pattern));
      } finally {
        await gw.stop();
      }
    },
  );

  it("a request that could never fit a budget says so, with no retry-after", async () => {
    const gw = await gatewayWith({ totalTokensPerMonth: 10 });
    try {
      const { res, body } = await send(gw, userTurn("hi", { max_tokens: 64 }));
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBeNull();
      expect(body.error?.message).toMatch(
        /^this request needs up to \d+ tokens, more than team\.total_tokens_per_month allows in a whole month \(10\)/,
      );
    } finally {
      await gw.stop();
    }
  });
});

describe("what limits never block or meter (Q-04)", () => {
  it("T-20, T-26, T-27: count_tokens, /v1/models and HEAD still answer when the budget is spent", async () => {
    const gw = await gatewayWith({ totalTokensPerDay: 1 });
    try {
      expect((await send(gw)).res.status).toBe(429);
      const count = await post(
        gw.url,
        "/v1/messages/count_tokens",
        { model: "umans-coder-v0", messages: [{ role: "user", content: "hi" }] },
        { token: gw.token },
      );
      expect(count.status).toBe(200);
      const models = await fetch(`${gw.url}/v1/models`, { headers: { "x-api-key": gw.token } });
      expect(models.status).toBe(200);
      expect((await fetch(`${gw.url}/api/hello`, { method: "HEAD" })).status).toBe(204);
      const events = await eventually(
        () => meteredEvents(gw),
        (list) => list.length >= 1,
      );
      expect(events.map((event) => event.endpoint)).toEqual(["messages"]);
    } finally {
      await gw.stop();
    }
  });
});

describe("metering", () => {
  it("meters every request with its key, team, owner, session, tokens, latency and limit decision", async () => {
    const gw = await gatewayWith({ requestsPerMinute: 1 });
    try {
      sim.enqueue({ content: "metered answer" });
      const ok = await post(
        gw.url,
        "/v1/messages",
        { ...userTurn("hi"), stream: true },
        {
          token: gw.token,
          headers: { "x-claude-code-session-id": "sess-1", "user-agent": "claude-cli/2.1.197 (external, cli)" },
        },
      );
      const message = (await readEvents(ok)).find((event) => event.type === "message_delta");
      expect((await send(gw)).res.status).toBe(429);
      const events = await eventually(
        () => meteredEvents(gw),
        (list) => list.length >= 2,
      );
      expect(events).toHaveLength(2);
      const [admitted, denied] = events;
      expect(admitted).toMatchObject({
        requestId: ok.headers.get("request-id"),
        orgId: gw.key.orgId,
        apiKeyId: gw.key.id,
        teamId: gw.team.team.id,
        userId: gw.team.developer.id,
        sessionId: "sess-1",
        model: "umans-coder-v0",
        servedModel: "umans-coder",
        stream: true,
        status: 200,
        stopReason: "end_turn",
        limitDecision: "admitted",
        clientAbort: false,
        userAgent: "claude-cli/2.1.197 (external, cli)",
      });
      const usage = message?.type === "message_delta" ? message.usage : undefined;
      expect([admitted?.inputTokens, admitted?.cacheReadInputTokens, admitted?.outputTokens]).toEqual([
        usage?.input_tokens,
        usage?.cache_read_input_tokens,
        usage?.output_tokens,
      ]);
      expect(admitted?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
      expect(denied).toMatchObject({
        status: 429,
        errorType: "rate_limit_error",
        limitDecision: "team.requests_per_minute",
      });
    } finally {
      await gw.stop();
    }
  });

  it("records the key's last use off the request path", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    try {
      sim.enqueue({ content: "ok" });
      const before = new Date();
      await send(gw);
      const key = await eventually(
        () => gw.services.db.apiKey.findUniqueOrThrow({ where: { id: gw.key.id } }),
        (row) => row.lastUsedAt !== null,
      );
      expect(key.lastUsedAt?.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    } finally {
      await gw.stop();
    }
  });
});

describe("revocation and limit changes reach the cache at once", () => {
  it("a key revoked through core stops working on the next request", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    try {
      sim.enqueue({ content: "ok" });
      expect((await send(gw)).res.status).toBe(200);
      await revokeApiKey(gw.ctx, { keyId: gw.key.id });
      const { res } = await eventually(
        () => send(gw),
        (result) => result.res.status === 401,
        1_000,
      );
      expect(res.status).toBe(401);
    } finally {
      await gw.stop();
    }
  });

  it("a limit set through core applies on the next request", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: sim.url });
    try {
      sim.enqueue({ content: "ok" });
      expect((await send(gw)).res.status).toBe(200);
      await setLimits(gw.ctx, { target: { type: "team", teamId: gw.team.team.id }, limits: { totalTokensPerDay: 1 } });
      const { res } = await eventually(
        () => send(gw),
        (result) => result.res.status === 429,
        1_000,
      );
      expect(res.status).toBe(429);
    } finally {
      await gw.stop();
    }
  });
});

describe("when Redis is away", () => {
  it.each([
    ["open", 200, "unchecked"],
    ["closed", 429, "limits_unavailable"],
  ] as const)("fails %s: %i, and the request is metered once Redis is back", async (policy, status, decision) => {
    const server = await startTestRedisServer();
    const gw = await startTestGateway({
      ...urls(),
      upstreamUrl: sim.url,
      commandRedisUrl: server.url,
      limits: { onRedisFailure: policy },
    });
    try {
      await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { requestsPerMinute: 100 },
      });
      await server.stop();
      sim.enqueue({ content: "no limits checked" });
      const { res, body } = await send(gw);
      expect(res.status).toBe(status);
      if (status === 429) {
        expect(res.headers.get("retry-after")).toBeNull();
        expect(body.error?.message).toMatch(/^limits cannot be checked right now/);
      }
      await server.start();
      const events = await eventually(
        () => meteredEvents(gw).catch(() => []),
        (list) => list.length === 1,
        10_000,
      );
      expect(events.map((event) => event.limitDecision)).toEqual([decision]);
    } finally {
      await gw.stop();
      await server.stop();
    }
  });
});
