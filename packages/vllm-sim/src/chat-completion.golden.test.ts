import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { bashTool, post, readTool, sseEvents } from "./testing/sim-client.ts";

// Whole transcripts, compared byte for byte with the files in `golden/`. Ids and `created` are
// deterministic; a reviewer reads the golden files as the contract of the wire shapes.

const golden = (name: string) => `./golden/${name}`;
const system = { role: "system", content: "You are a coding agent." };
const user = { role: "user", content: "Read the README please." };
const streamUsage = { stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } };

describe("chat completion shapes", () => {
  let sim: RunningVllmSim;
  let reasoningContent: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({ deterministic: true });
    reasoningContent = await startVllmSim({ deterministic: true, reasoningField: "reasoning_content" });
  });

  afterAll(async () => {
    await sim.close();
    await reasoningContent.close();
  });

  beforeEach(() => {
    sim.reset();
    reasoningContent.reset();
  });

  it("streams reasoning, content and a tool call with continuous usage and a trailing usage chunk", async () => {
    sim.enqueue({
      reasoning: "I should read it.",
      content: "Reading it.",
      toolCalls: [{ name: "Read", arguments: { file_path: "/repo/README.md" } }],
    });
    const res = await post(sim.url, "/v1/chat/completions", {
      model: "umans-coder",
      messages: [system, user],
      tools: [readTool],
      chat_template_kwargs: { thinking: true },
      ...streamUsage,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    await expect(res.text).toMatchFileSnapshot(golden("stream-thinking-tool-call.sse"));
    const events = sseEvents(res.text) as Array<Record<string, any>>;
    expect(events[0]?.choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(events.at(-1)).toBe("[DONE]");
    const usage = events.at(-2);
    expect(usage?.choices).toEqual([]);
    expect(events.at(-3)?.choices[0]).toMatchObject({ finish_reason: "tool_calls", stop_reason: null });
    expect(usage?.usage.completion_tokens).toBe(events.at(-3)?.usage.completion_tokens);
  });

  it("answers the same turn without streaming", async () => {
    sim.enqueue({
      reasoning: "I should read it.",
      content: "Reading it.",
      toolCalls: [{ name: "Read", arguments: { file_path: "/repo/README.md" } }],
    });
    const res = await post(sim.url, "/v1/chat/completions", {
      messages: [system, user],
      tools: [readTool],
      chat_template_kwargs: { thinking: true },
    });
    expect(res.headers.get("content-type")).toBe("application/json");
    await expect(JSON.stringify(res.json(), null, 2)).toMatchFileSnapshot(
      golden("complete-thinking-tool-call.json.golden"),
    );
  });

  it("does not think without chat_template_kwargs.thinking and streams plain content", async () => {
    sim.enqueue({ reasoning: "never shown", content: "Hello there." });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user], stream: true });
    await expect(res.text).toMatchFileSnapshot(golden("stream-content-no-usage.sse"));
    expect(res.text).not.toContain("reasoning");
  });

  it("streams interleaved parallel tool calls, several entries per chunk, with chosen fragments", async () => {
    sim.enqueue({
      interleaveToolCalls: true,
      toolCalls: [
        { name: "Read", arguments: { file_path: "a.md" }, splitAt: [5, 17] },
        { name: "Bash", arguments: '{"command": "ls"}', id: "call_fixed", argumentsInFirstChunk: true },
      ],
    });
    const res = await post(sim.url, "/v1/chat/completions", {
      messages: [user],
      tools: [readTool, bashTool],
      stream: true,
    });
    await expect(res.text).toMatchFileSnapshot(golden("stream-parallel-interleaved.sse"));
    const calls = (sseEvents(res.text) as Array<Record<string, any>>)
      .filter((event) => typeof event === "object")
      .flatMap((event) => event.choices[0]?.delta.tool_calls ?? []);
    const args = (index: number) =>
      calls
        .filter((call) => call.index === index)
        .map((call) => call.function?.arguments ?? "")
        .join("");
    expect(JSON.parse(args(0))).toEqual({ file_path: "a.md" });
    expect(args(1)).toBe('{"command": "ls"}');
  });

  it("finishes with stop for a named tool choice, and content is an empty string", async () => {
    const body = {
      messages: [user],
      tools: [readTool],
      tool_choice: { type: "function", function: { name: "Read" } },
    };
    const whole = await post(sim.url, "/v1/chat/completions", body);
    await expect(JSON.stringify(whole.json(), null, 2)).toMatchFileSnapshot(
      golden("complete-named-tool-choice.json.golden"),
    );
    const streamed = await post(sim.url, "/v1/chat/completions", { ...body, stream: true });
    const events = sseEvents(streamed.text) as Array<Record<string, any>>;
    expect(events.at(-2)?.choices[0].finish_reason).toBe("stop");
  });

  it("stops at max_tokens with finish_reason length on the last token's chunk", async () => {
    sim.enqueue({ content: "one two three four five six seven" });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user], max_tokens: 3, ...streamUsage });
    await expect(res.text).toMatchFileSnapshot(golden("stream-length.sse"));
  });

  it("cuts the text before a stop string and reports it as stop_reason", async () => {
    sim.enqueue({ content: "alpha beta END gamma" });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user], stop: ["END", "zzz"] });
    const choice = (res.json() as any).choices[0];
    expect(choice).toMatchObject({ finish_reason: "stop", stop_reason: "END" });
    expect(choice.message.content).toBe("alpha beta ");
  });

  it("names the reasoning field reasoning_content when switched", async () => {
    reasoningContent.enqueue({ reasoning: "Short thought.", content: "Answer." });
    const res = await post(reasoningContent.url, "/v1/chat/completions", {
      messages: [user],
      chat_template_kwargs: { thinking: true },
      stream: true,
    });
    await expect(res.text).toMatchFileSnapshot(golden("stream-reasoning-content.sse"));
    expect(res.text).not.toContain('"reasoning"');
  });

  it("sends vLLM's in-stream error chunk then [DONE]", async () => {
    sim.enqueue({
      content: "partial answer here",
      streamErrorAfterChunks: 3,
      streamError: { message: "engine died", code: 500 },
    });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user], stream: true });
    await expect(res.text).toMatchFileSnapshot(golden("stream-error.sse"));
  });

  it("cuts the connection without [DONE] when told to drop", async () => {
    sim.enqueue({ content: "partial answer here", dropAfterChunks: 2 });
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [user], stream: true }),
    });
    await expect(res.text()).rejects.toThrow();
  });

  it("answers a scripted error with vLLM's envelope and status", async () => {
    sim.enqueue({ error: { status: 503, message: "overloaded" } });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user] });
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({
      error: { message: "overloaded", type: "Service Unavailable", param: null, code: 503 },
    });
  });

  it("sends raw DSML text as content when the request has no tools", async () => {
    sim.enqueue({ toolCalls: [{ name: "Read", arguments: { file_path: "x" } }] });
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user] });
    const message = (res.json() as any).choices[0].message;
    expect(message.tool_calls).toBeUndefined();
    expect(message.content).toContain('<｜DSML｜invoke name="Read">');
  });
});

describe("chat completion errors", () => {
  let sim: RunningVllmSim;
  let noAutoTools: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({ maxModelLen: 64 });
    noAutoTools = await startVllmSim({ enableAutoToolChoice: false });
  });

  afterAll(async () => {
    await sim.close();
    await noAutoTools.close();
  });

  it("answers an unknown model with 404", async () => {
    const res = await post(sim.url, "/v1/chat/completions", { model: "gpt-4", messages: [user] });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({
      error: { message: "The model `gpt-4` does not exist.", type: "NotFoundError", param: null, code: 404 },
    });
  });

  it("refuses prompt + max_tokens beyond max_model_len in vLLM's current wording", async () => {
    const res = await post(sim.url, "/v1/chat/completions", { messages: [user], max_tokens: 60 });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error: {
        message:
          "This model's maximum context length is 64 tokens. However, you requested 60 output tokens and your prompt " +
          "contains at least 5 input tokens, for a total of at least 65 tokens. Please reduce the length of the input " +
          "prompt or the number of requested output tokens. (parameter=input_tokens, value=5)",
        type: "BadRequestError",
        param: "input_tokens",
        code: 400,
      },
    });
  });

  it("refuses a prompt longer than the context even without max_tokens", async () => {
    const res = await post(sim.url, "/v1/chat/completions", {
      messages: [{ role: "user", content: "word ".repeat(200) }],
    });
    expect(res.status).toBe(400);
    expect((res.json() as any).error.message).toContain(
      "you requested 0 output tokens and your prompt contains at least 65 input tokens, for a total of at least 65 tokens",
    );
  });

  it("refuses tool_choice auto without --enable-auto-tool-choice", async () => {
    const res = await post(noAutoTools.url, "/v1/chat/completions", { messages: [user], tools: [readTool] });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error: {
        message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        type: "BadRequestError",
        param: null,
        code: 400,
      },
    });
    const none = await post(noAutoTools.url, "/v1/chat/completions", {
      messages: [user],
      tools: [readTool],
      tool_choice: "none",
    });
    expect(none.status).toBe(200);
  });
});
