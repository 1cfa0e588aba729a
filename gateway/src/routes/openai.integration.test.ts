import { setTimeout as delay } from "node:timers/promises";
import { createApiKey, revokeApiKey, setLimits, usageEventMessageSchema } from "@perimeter/core";
import { describe, expect, inject, it } from "vitest";
import type { ResponsesStreamEvent } from "../protocol/responses.ts";
import { checkResponsesStreamGrammar } from "../protocol/testing/responses-stream-grammar.ts";
import { metricValue } from "../testing/metrics.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

// The OpenAI-API routes over plain HTTP: the key suite in OpenAI's envelope, upstream failures before
// and during a stream, keep-alives, and a client that leaves.

const env = useSimAndGateway({ gateway: { protocol: { keepAliveMs: 50 } } });

const routes = [
  {
    name: "POST /v1/chat/completions",
    method: "POST",
    path: "/v1/chat/completions",
    body: { model: "umans-coder-v0", messages: [{ role: "user", content: "hi" }] },
  },
  { name: "POST /v1/responses", method: "POST", path: "/v1/responses", body: { model: "umans-coder-v0", input: "hi" } },
  { name: "GET /v1/models (OpenAI shape)", method: "GET", path: "/v1/models", body: undefined },
] as const;

function call(route: { method: string; path: string; body?: unknown }, token?: string, gw = env.gateway) {
  return fetch(`${gw.url}${route.path}`, {
    method: route.method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(route.body ? { body: JSON.stringify(route.body) } : {}),
  });
}

async function expectOpenAIError(res: Response, status: number, error: Record<string, unknown>, retry: boolean) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  expect(res.headers.get("x-should-retry")).toBe(String(retry));
  const body = (await res.json()) as { error: Record<string, unknown> };
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error).toMatchObject(error);
  return body.error.message as string;
}

/** The `data:` payloads of an SSE body, keep-alive comments left out. */
function dataOf(text: string): string[] {
  return text
    .split("\n\n")
    .flatMap((frame) => frame.split("\n").filter((line) => line.startsWith("data: ")))
    .map((line) => line.slice(6));
}

describe.each(routes)("$name: the key suite", (route) => {
  it("accepts the key as Authorization: Bearer", async () => {
    env.sim.enqueue({ content: "ok" });
    const res = await call(route, env.gateway.token);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it("refuses a missing, unknown, revoked, expired or admin key in OpenAI's envelope", async () => {
    const auth = { type: "invalid_request_error", code: "invalid_api_key", param: null };
    await expectOpenAIError(
      await call(route),
      401,
      { ...auth, message: expect.stringContaining("missing API key") },
      false,
    );
    const unknown = `sk-prm-${"a".repeat(12)}-${"b".repeat(43)}`;
    await expectOpenAIError(await call(route, unknown), 401, { ...auth, message: "invalid API key" }, false);
    const revoked = await env.gateway.newKey({ name: "revoked" });
    await revokeApiKey(env.gateway.ctx, { keyId: revoked.key.id });
    await delay(50); // the change event reaches the key cache
    await expectOpenAIError(
      await call(route, revoked.token),
      401,
      { ...auth, message: "API key has been revoked" },
      false,
    );
    const expiring = await env.gateway.newKey({ name: "expiring", expiresAt: new Date(Date.now() + 300) });
    await delay(400);
    await expectOpenAIError(await call(route, expiring.token), 401, { ...auth, message: "API key has expired" }, false);
    const admin = await createApiKey(env.gateway.ctx, { scope: "admin", name: "automation" });
    if (!admin.ok) throw new Error(admin.code);
    await expectOpenAIError(await call(route, admin.secret), 403, { code: "permission_denied" }, false);
  });
});

describe("request bodies", () => {
  it("refuses JSON that is not, or a field that is wrong, with a 400 naming it", async () => {
    const res = await fetch(`${env.gateway.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env.gateway.token}` },
      body: "{not json",
    });
    await expectOpenAIError(res, 400, { type: "invalid_request_error" }, false);
    const bad = await call(
      { method: "POST", path: "/v1/responses", body: { model: "umans-coder-v0" } },
      env.gateway.token,
    );
    await expectOpenAIError(bad, 400, { param: "input" }, false);
  });

  it("applies the key's policy: the allow-list and the max_tokens cap", async () => {
    const gw = await startTestGateway({
      databaseUrl: inject("databaseUrl"),
      redisUrl: inject("redisUrl"),
      upstreamUrl: env.sim.url,
    });
    try {
      const capped = await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { maxTokensCap: 100 },
      });
      if (!capped.ok) throw new Error(capped.code);
      env.sim.enqueue({ content: "ok" });
      const res = await call({ ...routes[0], body: { ...routes[0].body, max_tokens: 5000 } }, gw.token, gw);
      expect(res.status).toBe(200);
      const sent = env.sim.requests().find((request) => request.path === "/v1/chat/completions");
      expect(sent?.body).toMatchObject({ max_tokens: 100 });
      const listed = await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { allowedModels: ["another-model"] },
      });
      if (!listed.ok) throw new Error(listed.code);
      await delay(50);
      await expectOpenAIError(
        await call(routes[1], gw.token, gw),
        403,
        { code: "model_not_allowed", param: "model" },
        false,
      );
    } finally {
      await gw.stop();
    }
  });
});

describe("upstream failures", () => {
  it.each(routes.slice(0, 2))(
    "$name: an upstream 500 before anything was streamed is a JSON server_error",
    async (route) => {
      env.sim.enqueue({ error: { status: 500, message: "EngineDeadError" } });
      const res = await call({ ...route, body: { ...route.body, stream: true } }, env.gateway.token);
      const message = await expectOpenAIError(res, 500, { type: "server_error" }, true);
      expect(message).toContain("EngineDeadError");
    },
  );

  it("an overloaded model server is a retryable 503", async () => {
    env.sim.enqueue({ error: { status: 503, message: "busy" } });
    await expectOpenAIError(await call(routes[1], env.gateway.token), 503, { type: "server_error" }, true);
  });

  it("/v1/responses: a stream that fails midway ends with response.failed, after what was generated", async () => {
    env.sim.enqueue({ content: "partial answer here", streamErrorAfterChunks: 3 });
    const res = await call({ ...routes[1], body: { ...routes[1].body, stream: true } }, env.gateway.token);
    expect(res.status).toBe(200);
    const events = dataOf(await res.text()).map((data) => JSON.parse(data) as ResponsesStreamEvent);
    const final = checkResponsesStreamGrammar(events);
    expect(final.status).toBe("failed");
    expect(final.output[0]).toMatchObject({ type: "message" });
  });

  it("/v1/chat/completions: a stream that fails midway passes vLLM's error chunk on", async () => {
    env.sim.enqueue({ content: "partial answer here", streamErrorAfterChunks: 3 });
    const res = await call({ ...routes[0], body: { ...routes[0].body, stream: true } }, env.gateway.token);
    expect(res.status).toBe(200);
    const payloads = dataOf(await res.text());
    // As vLLM itself ends a failed stream: its error chunk, then `[DONE]`.
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(JSON.parse(payloads.at(-2) ?? "{}")).toHaveProperty("error.message");
  });
});

describe("silence and disconnects", () => {
  it.each(routes.slice(0, 2))("$name: a silent prefill gets SSE comments, then the answer", async (route) => {
    env.sim.enqueue({ content: "after the silence", delayFirstChunkMs: 300 });
    const res = await call({ ...route, body: { ...route.body, stream: true } }, env.gateway.token);
    const text = await res.text();
    expect(text.slice(0, text.indexOf("data: ")).match(/^: keepalive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const deltas = dataOf(text)
      .filter((data) => data !== "[DONE]")
      .map((data) => JSON.parse(data) as { delta?: unknown; choices?: { delta?: { content?: string } }[] })
      .map((event) => (typeof event.delta === "string" ? event.delta : (event.choices?.[0]?.delta?.content ?? "")));
    expect(deltas.join("")).toContain("after the silence");
  });

  it.each(routes.slice(0, 2))(
    "$name: a client that leaves aborts vLLM, frees its slot and is settled with the tokens generated",
    async (route) => {
      const gw: TestGateway = await startTestGateway({
        databaseUrl: inject("databaseUrl"),
        redisUrl: inject("redisUrl"),
        upstreamUrl: env.sim.url,
      });
      try {
        const set = await setLimits(gw.ctx, {
          target: { type: "team", teamId: gw.team.team.id },
          limits: { maxConcurrentRequests: 1 },
        });
        if (!set.ok) throw new Error(set.code);
        env.sim.enqueue({
          content: "one two three four five six",
          tokensPerChunk: 1,
          pauses: [{ afterChunk: 3, ms: 20_000 }],
        });
        const client = new AbortController();
        const res = await fetch(`${gw.url}${route.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gw.token}` },
          body: JSON.stringify({ ...route.body, stream: true }),
          signal: client.signal,
        });
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        let seen = "";
        while (!seen.includes("one")) seen += new TextDecoder().decode((await reader.read()).value);
        client.abort();
        const running = () => metricValue(env.sim.url, "vllm:num_requests_running");
        const deadline = Date.now() + 5_000;
        while ((await running()) > 0 && Date.now() < deadline) await delay(20);
        expect(await running()).toBe(0);

        let event: ReturnType<typeof usageEventMessageSchema.parse> | undefined;
        while (!event && Date.now() < deadline) {
          const entries = await gw.services.redis.xrange(gw.usageKeys.stream, "-", "+");
          const [first] = entries.map(([, fields]) => usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}")));
          event = first;
          if (!event) await delay(20);
        }
        expect(event).toMatchObject({ status: 499, clientAbort: true, stream: true });
        expect(event?.outputTokens).toBeGreaterThan(0);
        expect(event?.inputTokens).toBeGreaterThan(0);

        env.sim.enqueue({ content: "next" });
        const next = await call(route, gw.token, gw);
        expect(next.status).toBe(200);
        await next.body?.cancel();
      } finally {
        await gw.stop();
      }
    },
  );
});

describe("model lists and budgets in OpenAI's terms", () => {
  it("negotiates the list's shape by header, and always OpenAI's under /openai/", async () => {
    const get = (path: string, headers: Record<string, string>) =>
      fetch(`${env.gateway.url}${path}`, { headers }).then((res) => res.json() as Promise<Record<string, unknown>>);
    const bearer = { authorization: `Bearer ${env.gateway.token}` };
    expect(await get("/v1/models", bearer)).toMatchObject({ object: "list", data: [{ object: "model" }] });
    const anthropic = await get("/v1/models", { ...bearer, "anthropic-version": "2023-06-01" });
    expect(anthropic).toMatchObject({ has_more: false, data: [{ type: "model" }] });
    expect(await get("/openai/v1/models", { "x-api-key": env.gateway.token })).toMatchObject({ object: "list" });
    expect(await get("/openai/v1/models/umans-coder-v0", bearer)).toEqual({
      id: "umans-coder-v0",
      object: "model",
      created: expect.any(Number),
      owned_by: "perimeter",
    });
  });

  it("a spent budget is OpenAI's 429 insufficient_quota, not retried, with the reset in retry-after", async () => {
    const gw = await startTestGateway({
      databaseUrl: inject("databaseUrl"),
      redisUrl: inject("redisUrl"),
      upstreamUrl: env.sim.url,
    });
    try {
      const set = await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { outputTokensPerDay: 100 },
      });
      if (!set.ok) throw new Error(set.code);
      // The first answer uses 60 of the day's 100 output tokens; the next may need 60 again, so it waits.
      env.sim.enqueue({ content: "word ".repeat(200) });
      const first = await call({ ...routes[1], body: { ...routes[1].body, max_output_tokens: 60 } }, gw.token, gw);
      expect(((await first.json()) as { usage: { output_tokens: number } }).usage.output_tokens).toBe(60);
      const res = await call({ ...routes[1], body: { ...routes[1].body, max_output_tokens: 60 } }, gw.token, gw);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const message = await expectOpenAIError(
        res,
        429,
        { type: "insufficient_quota", code: "insufficient_quota" },
        false,
      );
      expect(message).toContain("team.output_tokens_per_day");
    } finally {
      await gw.stop();
    }
  });
});
