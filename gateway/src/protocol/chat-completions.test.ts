import { describe, expect, it } from "vitest";
import { parseRequest } from "./anthropic.ts";
import {
  ChatChunkRelay,
  type ChatCompletionsRequest,
  chatCompletionsRequestSchema,
  chatThinking,
  requestedMaxTokens,
  toUpstreamChatRequest,
} from "./chat-completions.ts";

function parse(body: unknown): ChatCompletionsRequest {
  const parsed = parseRequest(chatCompletionsRequestSchema, body);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

const base = { model: "claude-sonnet-5", messages: [{ role: "user", content: "hi" }] };

describe("toUpstreamChatRequest", () => {
  it("passes the client's fields through with the served model, the clamped cap and thinking", () => {
    const request = parse({
      ...base,
      max_completion_tokens: 900,
      reasoning_effort: "high",
      temperature: 0.3,
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      chat_template_kwargs: { custom: 1 },
      stream_options: { include_usage: true },
    });
    expect(requestedMaxTokens(request)).toBe(900);
    expect(toUpstreamChatRequest(request, { servedModel: "umans-coder", maxTokens: 512, thinking: true })).toEqual({
      model: "umans-coder",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 512,
      temperature: 0.3,
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      stream: false,
      chat_template_kwargs: { custom: 1, thinking: true },
    });
  });

  it("a stream always asks vLLM for usage on every chunk, whatever the client asked", () => {
    const request = parse({ ...base, stream: true, max_tokens: 10 });
    expect(toUpstreamChatRequest(request, { servedModel: "s", maxTokens: 10, thinking: false })).toMatchObject({
      stream: true,
      stream_options: { include_usage: true, continuous_usage_stats: true },
    });
  });

  it("refuses a body without messages, naming the field", () => {
    expect(parseRequest(chatCompletionsRequestSchema, { model: "m", messages: [] })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^messages: /),
    });
  });
});

describe("chatThinking", () => {
  it("the policy wins, then chat_template_kwargs.thinking, then reasoning_effort, else off", () => {
    const think = (extra: Record<string, unknown>, policy: "client" | "force_on" | "force_off" = "client") =>
      chatThinking(parse({ ...base, ...extra }), policy);
    expect(think({})).toBe(false);
    expect(think({ reasoning_effort: "medium" })).toBe(true);
    expect(think({ reasoning_effort: "minimal" })).toBe(false);
    expect(think({ reasoning_effort: "high", chat_template_kwargs: { thinking: false } })).toBe(false);
    expect(think({ chat_template_kwargs: { thinking: true } }, "force_off")).toBe(false);
    expect(think({}, "force_on")).toBe(true);
  });
});

describe("ChatChunkRelay", () => {
  const content =
    '{"id":"c","model":"umans-coder","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}';
  const finish = '{"id":"c","model":"umans-coder","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}';
  const usageChunk = '{"id":"c","model":"umans-coder","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}';

  it("renames the model, drops usage the client did not ask for, and keeps what metering needs", () => {
    const relay = new ChatChunkRelay("claude-sonnet-5", {});
    expect(JSON.parse(relay.relay(content) ?? "null")).toEqual({
      id: "c",
      model: "claude-sonnet-5",
      choices: [{ index: 0, delta: { content: "a" } }],
    });
    expect(relay.relay(finish)).toBeDefined();
    expect(relay.relay(usageChunk)).toBeUndefined();
    expect(relay.relay("[DONE]")).toBe("[DONE]");
    expect(relay.summary).toEqual({
      usage: { prompt_tokens: 3, completion_tokens: 2 },
      finishReason: "tool_calls",
      hasToolCalls: false,
      contentSeen: true,
      done: true,
    });
  });

  it("forwards the final usage chunk with include_usage, and per-chunk usage with continuous_usage_stats", () => {
    const usageOnly = new ChatChunkRelay("m", { stream_options: { include_usage: true } });
    expect(JSON.parse(usageOnly.relay(content) ?? "null")).not.toHaveProperty("usage");
    expect(JSON.parse(usageOnly.relay(usageChunk) ?? "null")).toMatchObject({
      model: "m",
      usage: { completion_tokens: 2 },
    });
    const continuous = new ChatChunkRelay("m", {
      stream_options: { include_usage: true, continuous_usage_stats: true },
    });
    expect(JSON.parse(continuous.relay(content) ?? "null")).toHaveProperty("usage");
  });

  it("passes vLLM's in-stream error unchanged and records it", () => {
    const relay = new ChatChunkRelay("m", {});
    const error = '{"error":{"message":"boom","type":"InternalServerError","code":500}}';
    expect(relay.relay(error)).toBe(error);
    expect(relay.summary.error).toBe("boom");
  });
});
