import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { ChatCompletionRequest } from "../protocol/openai.ts";
import { checkStreamGrammar } from "../protocol/testing/stream-grammar.ts";
import { post, readEvents, userTurn } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";
import { startTestGateway } from "../testing/test-gateway.ts";

const env = useSimAndGateway();

const fixtures = path.join(import.meta.dirname, "..", "protocol", "fixtures", "requests");
const fixture = (name: string) => JSON.parse(readFileSync(path.join(fixtures, `${name}.anthropic.json`), "utf8"));

/** The chat completion requests vLLM received, oldest first. */
function upstreamBodies(): ChatCompletionRequest[] {
  return env.sim
    .requests()
    .filter((request) => request.path === "/v1/chat/completions")
    .map((request) => request.body as ChatCompletionRequest);
}

async function stream(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await post(
    env.gateway.url,
    "/v1/messages?beta=true",
    { ...body, stream: true },
    { token: env.gateway.token, headers },
  );
  expect(res.status).toBe(200);
  const events = await readEvents(res);
  return { res, events, message: checkStreamGrammar(events).message };
}

async function create(body: Record<string, unknown>) {
  const res = await post(env.gateway.url, "/v1/messages", body, { token: env.gateway.token });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

describe("POST /v1/messages, streaming", () => {
  it("T-01: streams a grammatical answer with the SSE headers, on the path whatever the query", async () => {
    env.sim.enqueue({ content: "Hello from the model." });
    const { res, message } = await stream(userTurn("hi"));
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(message?.content).toEqual([{ type: "text", text: "Hello from the model." }]);
    expect(message?.stop_reason).toBe("end_turn");
    expect(message?.id).toMatch(/^msg_/);
    expect(message?.model).toBe("umans-coder-v0");
  });

  it("T-03: drops Claude Code's Anthropic-only fields and beta header values, and turns thinking on", async () => {
    env.sim.enqueue({ reasoning: "Let me think.", content: "Done." });
    const body = {
      ...userTurn("hi"),
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      tools: [
        {
          name: "Read",
          input_schema: { type: "object", properties: { file_path: { type: "string" } } },
          defer_loading: true,
          eager_input_streaming: true,
          strict: true,
        },
      ],
    };
    const { message } = await stream(body, {
      "anthropic-beta": "claude-code-20250219,a-beta-from-the-future-2031-01-01",
    });
    expect(message?.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    const [upstream] = upstreamBodies();
    expect(upstream?.chat_template_kwargs).toEqual({ thinking: true });
    const text = JSON.stringify(upstream);
    for (const field of [
      "output_config",
      "context_management",
      "defer_loading",
      "eager_input_streaming",
      "strict",
      "effort",
    ]) {
      expect(text).not.toContain(field);
    }
  });

  it("T-04: Claude Code's first turn reaches vLLM with one leading system message and no mid-list system", async () => {
    env.sim.enqueue({ content: "ok" });
    await stream({ ...fixture("claude-code-first-turn"), model: "umans-coder-v0" });
    const [upstream] = upstreamBodies();
    expect(upstream?.messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(upstream?.messages[0]?.content).not.toContain("x-anthropic-billing-header");
  });

  it("T-05, T-06: replayed thinking goes back as reasoning, and new thinking streams as thinking_delta", async () => {
    env.sim.enqueue({ reasoning: "Both read; now answer.", content: "A and B." });
    const { events } = await stream(fixture("thinking-tool-loop"));
    expect(events.some((event) => event.type === "content_block_delta" && event.delta.type === "thinking_delta")).toBe(
      true,
    );
    const [upstream] = upstreamBodies();
    const assistants = upstream?.messages.filter((message) => message.role === "assistant") ?? [];
    expect(assistants.map((message) => ("reasoning" in message ? message.reasoning : null))).toEqual([
      null,
      "I should read a.md first.",
      "Now b.md.",
    ]);
    expect(JSON.stringify(upstream)).not.toContain('"type":"thinking"');
    expect(env.sim.requests().at(-1)?.reasoning).toBeDefined();
  });

  it("T-07: tool results reach vLLM in the order of the calls, one string each", async () => {
    env.sim.enqueue({ content: "ok" });
    await stream(fixture("tool-results-out-of-order"));
    const tools = upstreamBodies()[0]?.messages.filter((message) => message.role === "tool");
    expect(tools?.map((message) => [message.tool_call_id, typeof message.content])).toEqual([
      ["toolu_b", "string"],
      ["toolu_a", "string"],
      ["toolu_c", "string"],
    ]);
  });

  it("T-08: thinking disabled with an effort reaches vLLM with thinking off and no effort", async () => {
    env.sim.enqueue({ content: "A title" });
    await stream(fixture("thinking-disabled-with-effort"));
    const [upstream] = upstreamBodies();
    expect(upstream?.chat_template_kwargs).toEqual({ thinking: false });
    expect(JSON.stringify(upstream)).not.toMatch(/effort/);
  });

  it("T-09: reasoning then content gives a signed thinking block, then a text block", async () => {
    env.sim.enqueue({ reasoning: "Thinking hard.", content: "Answer." });
    const { message } = await stream(userTurn("q", { thinking: { type: "enabled", budget_tokens: 2048 } }));
    const [thinking, text] = message?.content ?? [];
    expect(thinking).toMatchObject({
      type: "thinking",
      thinking: "Thinking hard.",
      signature: expect.stringMatching(/^prm1\./),
    });
    expect(text).toEqual({ type: "text", text: "Answer." });
  });

  it("T-10: usage in message_start and message_delta matches vLLM's prompt and completion tokens", async () => {
    env.sim.enqueue({ content: "Counting tokens is fun." });
    const body = userTurn("a prompt long enough to fill a few blocks of the prefix cache ".repeat(20));
    await stream(body);
    env.sim.enqueue({ content: "Counting tokens is fun." });
    const { events, message } = await stream(body);
    const start = events[0];
    const usage = message?.usage;
    // The same prompt again: vLLM's prefix cache reports most of it as cached.
    const tokenize = await fetch(`${env.sim.url}/tokenize`, {
      method: "POST",
      body: JSON.stringify({
        model: "umans-coder",
        messages: upstreamBodies()[1]?.messages,
        add_generation_prompt: true,
        chat_template_kwargs: { thinking: false },
      }),
    }).then((res) => res.json() as Promise<{ count: number }>);
    expect(start?.type === "message_start" && start.message.usage.input_tokens).toBe(tokenize.count);
    expect((usage?.input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0)).toBe(tokenize.count);
    expect(usage?.cache_read_input_tokens).toBeGreaterThan(0);
    expect(usage?.output_tokens).toBeGreaterThan(0);
  });

  it("T-11: a first tool fragment that carries arguments keeps them", async () => {
    env.sim.enqueue({ toolCalls: [{ name: "Calc", arguments: { a: 1 }, argumentsInFirstChunk: true }] });
    const { message } = await stream(userTurn("add", { tools: [{ name: "Calc", input_schema: { type: "object" } }] }));
    expect(message?.content).toEqual([
      { type: "tool_use", id: expect.stringMatching(/^call_/), name: "Calc", input: { a: 1 } },
    ]);
    expect(message?.stop_reason).toBe("tool_use");
  });

  it("T-12: arguments that arrive in one final fragment after a silence give the same input, with pings meanwhile", async () => {
    const quick = await startTestGateway({
      databaseUrl: inject("databaseUrl"),
      redisUrl: inject("redisUrl"),
      upstreamUrl: env.sim.url,
      protocol: { keepAliveMs: 50 },
    });
    try {
      env.sim.enqueue({
        content: "Writing.",
        toolCalls: [{ name: "Write", arguments: { file_path: "/tmp/a", content: "hi\n" }, splitAt: [] }],
        pauses: [{ afterChunk: 2, ms: 400 }],
      });
      const res = await post(
        quick.url,
        "/v1/messages",
        userTurn("write", { stream: true, tools: [{ name: "Write", input_schema: { type: "object" } }] }),
        { token: quick.token },
      );
      const events = await readEvents(res);
      const { message } = checkStreamGrammar(events);
      expect(message?.content.at(-1)).toMatchObject({
        type: "tool_use",
        input: { file_path: "/tmp/a", content: "hi\n" },
      });
      expect(events.filter((event) => event.type === "ping").length).toBeGreaterThanOrEqual(2);
    } finally {
      await quick.stop();
    }
  });

  it("T-13: two parallel calls with interleaved fragments become two tool_use blocks that both parse", async () => {
    env.sim.enqueue({
      toolCalls: [
        { name: "Read", arguments: { file_path: "/a" } },
        { name: "Bash", arguments: { command: "ls -la" } },
      ],
      interleaveToolCalls: true,
    });
    const tools = [
      { name: "Read", input_schema: { type: "object" } },
      { name: "Bash", input_schema: { type: "object" } },
    ];
    const { message } = await stream(userTurn("both", { tools }));
    expect(message?.content).toEqual([
      { type: "tool_use", id: expect.any(String), name: "Read", input: { file_path: "/a" } },
      { type: "tool_use", id: expect.any(String), name: "Bash", input: { command: "ls -la" } },
    ]);
  });

  it("T-15: a named tool_choice, which vLLM finishes with `stop`, still ends with tool_use", async () => {
    env.sim.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const { message } = await stream(fixture("tool-choice-named-no-parallel"));
    expect(message?.stop_reason).toBe("tool_use");
    const [upstream] = upstreamBodies();
    expect(upstream?.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    expect(upstream?.parallel_tool_calls).toBe(false);
  });

  it("T-16: a stop sequence ends with stop_sequence and names it", async () => {
    env.sim.enqueue({ content: "one two END three" });
    const { message } = await stream(userTurn("count", { stop_sequences: ["END"] }));
    expect(message).toMatchObject({
      stop_reason: "stop_sequence",
      stop_sequence: "END",
      content: [{ type: "text", text: "one two " }],
    });
    expect(upstreamBodies()[0]?.stop).toEqual(["END"]);
  });

  it("T-17: an answer cut by max_tokens ends with max_tokens", async () => {
    env.sim.enqueue({ content: "a very long answer that will not fit in the few tokens allowed" });
    const { message } = await stream(userTurn("long", { max_tokens: 3 }));
    expect(message?.stop_reason).toBe("max_tokens");
    expect(message?.usage.output_tokens).toBe(3);
  });

  it("T-29: an image block reaches the text-only model as a placeholder", async () => {
    env.sim.enqueue({ content: "I cannot see it." });
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
    await stream({ ...userTurn(""), messages: [{ role: "user", content: [{ type: "text", text: "Look:" }, image] }] });
    const content = upstreamBodies()[0]?.messages[0]?.content;
    expect(content).toBe("Look:\n\n[image omitted: this model cannot read images]");
  });

  it("T-28: an Anthropic server tool is a 400 naming its type, never a 500", async () => {
    const res = await post(
      env.gateway.url,
      "/v1/messages",
      userTurn("search", { tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 8 }] }),
      { token: env.gateway.token },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        type: "invalid_request_error",
        message: expect.stringMatching(/^tools\.0: server tool `web_search_20250305`/),
      },
    });
    expect(upstreamBodies()).toEqual([]);
  });

  it("resolves Claude Code's claude-* names to the served model and answers with the name asked for", async () => {
    env.sim.enqueue({ content: "ok" });
    const { message } = await stream(userTurn("hi", { model: "claude-opus-4-8" }));
    expect(message?.model).toBe("claude-opus-4-8");
    expect(upstreamBodies()[0]?.model).toBe("umans-coder");
  });

  it("clamps max_tokens to the context window instead of letting vLLM refuse (T-22)", async () => {
    env.sim.enqueue({ content: "short" });
    const { message } = await stream(userTurn("hi", { max_tokens: 200_000 }));
    expect(message?.stop_reason).toBe("end_turn");
    expect(upstreamBodies()[0]?.max_tokens).toBeLessThan(163_840);
  });
});

describe("POST /v1/messages, not streaming", () => {
  it("T-18: answers a JSON Message with id, blocks, stop reason, usage and a request-id", async () => {
    env.sim.enqueue({
      reasoning: "Plan.",
      content: "Reading.",
      toolCalls: [{ name: "Read", arguments: { file_path: "/x" } }],
    });
    const { res, body } = await create(
      userTurn("read", { thinking: { type: "adaptive" }, tools: [{ name: "Read", input_schema: { type: "object" } }] }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "umans-coder-v0",
      content: [
        { type: "thinking", thinking: "Plan.", signature: expect.stringMatching(/^prm1\./) },
        { type: "text", text: "Reading." },
        { type: "tool_use", id: expect.stringMatching(/^call_/), name: "Read", input: { file_path: "/x" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
      },
    });
    expect(upstreamBodies()[0]?.stream).toBe(false);
  });

  it("treats an absent `stream` as non-streaming, as Claude Code's fallback sends it", async () => {
    env.sim.enqueue({ content: "fallback answer" });
    const { body } = await create(userTurn("again"));
    expect(body.content).toEqual([{ type: "text", text: "fallback answer" }]);
  });

  it("answers a cache pre-warm (max_tokens 0) with no content, after vLLM processed the prompt", async () => {
    env.sim.enqueue({ content: "ignored" });
    const { body } = await create(userTurn("warm this prefix", { max_tokens: 0 }));
    expect(body).toMatchObject({ content: [], stop_reason: "max_tokens", usage: { output_tokens: 0 } });
    expect(upstreamBodies()[0]?.max_tokens).toBe(1);
  });
});
