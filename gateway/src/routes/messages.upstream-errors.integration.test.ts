import http from "node:http";
import type { AddressInfo } from "node:net";
import { closedPort } from "@perimeter/runtime/testing";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatCompletionRequest } from "../protocol/openai.ts";
import { checkStreamGrammar, parseAnthropicSse } from "../protocol/testing/stream-grammar.ts";
import { post, readEvents, userTurn } from "../testing/http.ts";
import { metricValue } from "../testing/metrics.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";
import { startTestGateway, type TestGateway, type TestGatewayOptions } from "../testing/test-gateway.ts";

const env = useSimAndGateway({ gateway: { protocol: { keepAliveMs: 50 } } });

const urls = () => ({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });

/** A gateway of its own for one test (another upstream, another configuration). */
async function withGateway(options: Partial<TestGatewayOptions>, run: (gw: TestGateway) => Promise<void>) {
  const gw = await startTestGateway({ ...urls(), upstreamUrl: env.sim.url, ...options });
  try {
    await run(gw);
  } finally {
    await gw.stop();
  }
}

async function expectJsonError(res: Response, status: number, type: string, retry: boolean) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  expect(res.headers.get("x-should-retry")).toBe(String(retry));
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body).toMatchObject({ type: "error", error: { type }, request_id: res.headers.get("request-id") });
  return body.error.message;
}

const streamed = (body: Record<string, unknown> = userTurn("hi"), gw = env.gateway) =>
  post(gw.url, "/v1/messages", { ...body, stream: true }, { token: gw.token });

describe("upstream failures before anything was streamed (T-19)", () => {
  it("an upstream 500 is a retryable JSON api_error, not a stream", async () => {
    env.sim.enqueue({ error: { status: 500, message: "EngineDeadError" } });
    const message = await expectJsonError(await streamed(), 500, "api_error", true);
    expect(message).toContain("EngineDeadError");
  });

  it("an upstream 503 is a retryable 529 overloaded_error", async () => {
    env.sim.enqueue({ error: { status: 503, message: "busy" } });
    await expectJsonError(await streamed(), 529, "overloaded_error", true);
  });

  it("a connection reset right after the headers is a retryable JSON error", async () => {
    env.sim.enqueue({ content: "never sent", dropAfterChunks: 0 });
    await expectJsonError(await streamed(), 529, "overloaded_error", true);
  });

  it("no vLLM listening is a retryable 529 overloaded_error", async () => {
    await withGateway({ upstreamUrl: `http://127.0.0.1:${await closedPort()}` }, async (gw) => {
      const message = await expectJsonError(await streamed(userTurn("hi"), gw), 529, "overloaded_error", true);
      expect(message).toMatch(/^model server unavailable/);
    });
  });

  it("vLLM refusing the gateway's own credentials is a 500 that leaks nothing", async () => {
    const locked = await startVllmSim({ apiKey: "vllm-secret" });
    try {
      await withGateway({ upstreamUrl: locked.url }, async (gw) => {
        const message = await expectJsonError(await streamed(userTurn("hi"), gw), 500, "api_error", true);
        expect(message).toBe("the model server refused the gateway's credentials");
      });
    } finally {
      await locked.close();
    }
  });

  it("a 200 whose body is not JSON (a proxy's error page) is a 500 on every API, never a foreign 200", async () => {
    // A broken hop in front of vLLM: no simulator answers like this, so a server of the test's own does.
    const page = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>bad gateway</html>");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    try {
      const upstreamUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
      await withGateway({ upstreamUrl }, async (gw) => {
        const messages = await post(gw.url, "/v1/messages", userTurn("hi"), { token: gw.token });
        expect(await expectJsonError(messages, 500, "api_error", true)).toMatch(/^upstream answer could not be read: /);
        const model = userTurn("hi").model;
        for (const [path, body] of [
          ["/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }],
          ["/v1/responses", { model, input: "hi" }],
        ] as const) {
          const res = await post(gw.url, path, body, { token: gw.token });
          expect(res.status).toBe(500);
          const error = ((await res.json()) as { error: { message: string } }).error;
          expect(error.message).toMatch(/^upstream answer could not be read: /);
        }
      });
    } finally {
      await new Promise((resolve) => page.close(resolve));
    }
  });

  it("a served model vLLM does not know is a 404 not_found_error", async () => {
    await withGateway({ servedModel: "not-served" }, async (gw) => {
      await expectJsonError(await streamed(userTurn("hi"), gw), 404, "not_found_error", false);
    });
  });

  it("a validation error from vLLM is a 400 with vLLM's message kept", async () => {
    env.sim.enqueue({ error: { status: 400, message: "Input should be a valid string" } });
    const message = await expectJsonError(await streamed(), 400, "invalid_request_error", false);
    expect(message).toBe("upstream rejected the request: Input should be a valid string");
  });
});

describe("context window (T-21, T-22)", () => {
  let small: RunningVllmSim;
  let gw: TestGateway;

  beforeAll(async () => {
    small = await startVllmSim({ maxModelLen: 2000 });
    gw = await startTestGateway({ ...urls(), upstreamUrl: small.url });
  });

  afterAll(async () => {
    await gw?.stop();
    await small?.close();
  });

  async function promptTokens(body: Record<string, unknown>): Promise<number> {
    const res = await post(gw.url, "/v1/messages/count_tokens", body, { token: gw.token });
    return ((await res.json()) as { input_tokens: number }).input_tokens;
  }

  it("T-21: a prompt over the window is 400 in Anthropic's words, with vLLM's exact count", async () => {
    const body = userTurn("lorem ipsum dolor ".repeat(1500), { max_tokens: 100 });
    const count = await promptTokens(body);
    expect(count).toBeGreaterThan(2000);
    const res = await post(gw.url, "/v1/messages", body, { token: gw.token });
    expect(await expectJsonError(res, 400, "invalid_request_error", false)).toBe(
      `prompt is too long: ${count} tokens > 2000 maximum`,
    );
  });

  it("T-22: a prompt that fits but not with max_tokens is answered, max_tokens lowered to what is left", async () => {
    const body = userTurn("lorem ipsum dolor ".repeat(300), { max_tokens: 1900 });
    const count = await promptTokens(body);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(2000);
    small.reset();
    small.enqueue({ content: "fits" });
    const res = await streamed(body, gw);
    expect(res.status).toBe(200);
    expect(checkStreamGrammar(await readEvents(res)).message?.content).toEqual([{ type: "text", text: "fits" }]);
    const sent = small
      .requests()
      .filter((request) => request.path === "/v1/chat/completions")
      .map((request) => (request.body as ChatCompletionRequest).max_tokens);
    expect(sent).toEqual([1900, 2000 - count]);
  });
});

describe("failures in the middle of a stream", () => {
  it("T-25: an in-stream error after text is one error event, then the body closes", async () => {
    env.sim.enqueue({ content: "Partial answer that goes on", streamErrorAfterChunks: 3 });
    const res = await streamed();
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    const result = checkStreamGrammar(events);
    expect(result.error?.type).toBe("api_error");
    expect(events.at(-1)?.type).toBe("error");
    expect(events.filter((event) => event.type === "content_block_start")).toHaveLength(1);
  });

  it("a stream cut after a completed block gives an error event and no duplicated block", async () => {
    // The pause lets the first chunks reach the gateway, even on a loaded machine, before the socket goes.
    env.sim.enqueue({
      reasoning: "Done.",
      content: "The answer is forty two",
      pauses: [{ afterChunk: 4, ms: 1000 }],
      dropAfterChunks: 5,
    });
    const res = await post(
      env.gateway.url,
      "/v1/messages",
      { ...userTurn("q"), stream: true, thinking: { type: "adaptive" } },
      { token: env.gateway.token },
    );
    const events = await readEvents(res);
    const result = checkStreamGrammar(events);
    expect(result.error).toEqual({
      type: "overloaded_error",
      message: expect.stringMatching(/^model server unavailable/),
    });
    // The thinking block was complete (signed and stopped) when the text began and the socket went.
    expect(result.message?.content[0]).toMatchObject({ type: "thinking", thinking: "Done." });
    const starts = events.filter((event) => event.type === "content_block_start").map((event) => event.index);
    expect(starts).toEqual([0, 1]);
    expect(events.some((event) => event.type === "message_stop" || event.type === "message_delta")).toBe(false);
  });
});

describe("silence and disconnects", () => {
  it("T-14: a silent prefill gets SSE comments before message_start, then the answer", async () => {
    env.sim.enqueue({ content: "after the silence", delayFirstChunkMs: 400 });
    const res = await streamed();
    const text = await res.text();
    const beforeStart = text.slice(0, text.indexOf("event: message_start"));
    expect(beforeStart.match(/^: keepalive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(checkStreamGrammar(parseAnthropicSse(text)).message?.content).toEqual([
      { type: "text", text: "after the silence" },
    ]);
  });

  it("a client that leaves aborts the upstream request at once", async () => {
    env.sim.enqueue({ content: "too late", delayFirstChunkMs: 20_000 });
    const client = new AbortController();
    const res = await post(
      env.gateway.url,
      "/v1/messages",
      { ...userTurn("wait"), stream: true },
      { token: env.gateway.token, signal: client.signal },
    );
    expect(res.status).toBe(200); // committed by the first keep-alive
    const running = () => metricValue(env.sim.url, "vllm:num_requests_running");
    expect(await running()).toBe(1);
    client.abort();
    const deadline = Date.now() + 5_000;
    while ((await running()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await running()).toBe(0);
  });
});
