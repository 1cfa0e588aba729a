import { type Limits, setLimits, usageEventMessageSchema } from "@perimeter/core";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { useSimAndGateway } from "./testing/sim-and-gateway.ts";
import { startTestGateway, type TestGateway } from "./testing/test-gateway.ts";
import { writeToolTurn } from "./testing/write-tool-turn.ts";

const env = useSimAndGateway();

// The official `openai` SDK against the gateway and vllm-sim: its parsers, typed errors and stream
// accumulators are the judges of the OpenAI-API routes.

const client = (token = env.gateway.token, url = env.gateway.url) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });

const chatTools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "Write",
      description: "Write a file",
      parameters: {
        type: "object",
        properties: { file_path: { type: "string" }, content: { type: "string" } },
        required: ["file_path", "content"],
      },
    },
  },
];
const responseTools: OpenAI.Responses.FunctionTool[] = [
  {
    type: "function",
    name: "Write",
    description: "Write a file",
    strict: false,
    parameters: chatTools[0]?.type === "function" ? (chatTools[0].function.parameters ?? {}) : {},
  },
];
const turn = writeToolTurn;

/** The usage events a gateway metered, oldest first, once `count` are there. */
async function meteredEvents(gw: TestGateway, count: number) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const entries = await gw.services.redis.xrange(gw.usageKeys.stream, "-", "+");
    const events = entries.map(([, fields]) => usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}")));
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The chat completions vLLM received, oldest first. */
const upstreamBodies = () =>
  env.sim
    .requests()
    .filter((request) => request.path === "/v1/chat/completions")
    .map((request) => request.body as Record<string, unknown>);

/**
 * A Response without what legitimately differs between two answers (ids, the creation time) and without the
 * fields the SDK's own stream parser adds (`output_parsed`, `parsed`, `parsed_arguments`), as plain JSON.
 */
function comparable(response: OpenAI.Responses.Response) {
  const plain = JSON.parse(JSON.stringify(response), (key, value) =>
    key === "parsed" || key === "parsed_arguments" || key === "output_parsed" ? undefined : value,
  ) as Record<string, unknown> & { output: Record<string, unknown>[] };
  const { id: _, created_at: __, output_text: ___, ...rest } = plain;
  return { ...rest, output: plain.output.map(({ id: _id, ...item }) => item) };
}

describe("chat.completions", () => {
  it("create, non-streaming, with tools: the team's model name, tool calls and usage", async () => {
    env.sim.enqueue(turn);
    const completion = await client().chat.completions.create({
      model: "claude-sonnet-5",
      messages: [{ role: "user", content: "Create hello.txt" }],
      tools: chatTools,
      max_completion_tokens: 512,
    });
    expect(completion.model).toBe("claude-sonnet-5");
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.content).toBe(turn.content);
    const call = message?.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({
      file_path: "/work/hello.txt",
      content: "hello\n",
    });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    const [sent] = upstreamBodies();
    expect(sent).toMatchObject({ model: "umans-coder", max_tokens: 512, chat_template_kwargs: { thinking: false } });
    expect(sent).not.toHaveProperty("max_completion_tokens");
  });

  it("create with stream: true relays chunks with the model renamed, and usage only when asked", async () => {
    const collect = async (includeUsage: boolean) => {
      env.sim.enqueue(turn);
      const stream = await client().chat.completions.create({
        model: "umans-coder-v0",
        messages: [{ role: "user", content: "Create hello.txt" }],
        tools: chatTools,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const plain = await collect(false);
    expect(plain.every((chunk) => chunk.model === "umans-coder-v0")).toBe(true);
    expect(plain.some((chunk) => chunk.usage)).toBe(false);
    const args = plain.flatMap(
      (chunk) => chunk.choices[0]?.delta.tool_calls?.map((c) => c.function?.arguments ?? "") ?? [],
    );
    expect(JSON.parse(args.join(""))).toEqual({ file_path: "/work/hello.txt", content: "hello\n" });
    // vLLM was asked for usage either way, so metering is exact.
    expect(upstreamBodies()[0]).toMatchObject({ stream_options: { include_usage: true } });

    const withUsage = await collect(true);
    const last = withUsage.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(withUsage.slice(0, -1).some((chunk) => chunk.usage)).toBe(false);
  });

  it("reasoning_effort turns DeepSeek's thinking on, and the reasoning comes back", async () => {
    env.sim.enqueue({ reasoning: "Think first.", content: "Done." });
    const completion = await client().chat.completions.create({
      model: "umans-coder-v0",
      messages: [{ role: "user", content: "hi" }],
      reasoning_effort: "high",
    });
    expect(upstreamBodies()[0]).toMatchObject({ chat_template_kwargs: { thinking: true } });
    expect((completion.choices[0]?.message as unknown as { reasoning?: string } | undefined)?.reasoning).toBe(
      "Think first.",
    );
  });

  it("raises the SDK's typed errors in OpenAI's envelope: bad key, unknown model", async () => {
    const body = { model: "umans-coder-v0", messages: [{ role: "user" as const, content: "hi" }] };
    await expect(client("sk-prm-nope").chat.completions.create(body)).rejects.toMatchObject({
      status: 401,
      code: "invalid_api_key",
      error: { message: "invalid API key", type: "invalid_request_error", param: null, code: "invalid_api_key" },
    });
    await expect(client().chat.completions.create({ ...body, model: "gpt-4o" })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
      param: "model",
    });
    await expect(client().chat.completions.create({ ...body, messages: [] })).rejects.toMatchObject({
      status: 400,
      param: "messages",
    });
  });
});

describe("responses", () => {
  const request = {
    model: "umans-coder-v0",
    instructions: "You are a coding agent.",
    input: [{ role: "user" as const, content: [{ type: "input_text" as const, text: "Create hello.txt" }] }],
    tools: responseTools,
    reasoning: { effort: "medium" as const },
    store: false,
    max_output_tokens: 1024,
  };

  it("create, non-streaming, with tools: reasoning, message and function_call items, and usage", async () => {
    env.sim.enqueue(turn);
    const response = await client().responses.create(request);
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: "umans-coder-v0",
      store: false,
      output: [
        { type: "reasoning", content: [{ type: "reasoning_text", text: turn.reasoning }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: turn.content }] },
        { type: "function_call", name: "Write", call_id: "call_0123456789abcdef01234567" },
      ],
    });
    expect(response.output_text).toBe(turn.content);
    const call = response.output[2] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(JSON.parse(call.arguments)).toEqual({ file_path: "/work/hello.txt", content: "hello\n" });
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
    const [sent] = upstreamBodies();
    expect(sent).toMatchObject({
      model: "umans-coder",
      max_tokens: 1024,
      chat_template_kwargs: { thinking: true },
      messages: [
        { role: "system", content: "You are a coding agent." },
        { role: "user", content: "Create hello.txt" },
      ],
      tools: [{ type: "function", function: { name: "Write" } }],
    });
  });

  it("stream: the SDK's accumulator ends with the same Response as the non-streamed call", async () => {
    const openai = client();
    env.sim.enqueue(turn);
    const whole = await openai.responses.create(request);
    env.sim.reset(); // the same conditions, prefix cache included
    env.sim.enqueue(turn);
    const stream = openai.responses.stream(request);
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    const streamed = await stream.finalResponse();
    expect(comparable(streamed)).toEqual(comparable(whole));
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types.at(-1)).toBe("response.completed");
    expect(types).toContain("response.reasoning_text.delta");
    expect(types).toContain("response.output_text.delta");
    expect(types).toContain("response.function_call_arguments.delta");
    expect(sequence).toEqual(sequence.map((_, i) => i));
  });

  it("a tool round trip: function_call and function_call_output items become the tool turn vLLM expects", async () => {
    env.sim.enqueue({ content: "Written." });
    const response = await client().responses.create({
      model: "umans-coder-v0",
      input: [
        { role: "user", content: "Create hello.txt" },
        { type: "reasoning", id: "rs_1", summary: [], content: [{ type: "reasoning_text", text: "Call Write." }] },
        { type: "function_call", call_id: "call_1", name: "Write", arguments: '{"file_path":"a","content":"b"}' },
        { type: "function_call_output", call_id: "call_1", output: "ok" },
      ],
      tools: responseTools,
    });
    expect(response.output_text).toBe("Written.");
    expect(upstreamBodies()[0]?.messages).toEqual([
      { role: "user", content: "Create hello.txt" },
      {
        role: "assistant",
        content: "",
        reasoning: "Call Write.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "Write", arguments: '{"file_path":"a","content":"b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "ok" },
    ]);
  });

  it("max_output_tokens reached: status incomplete, incomplete_details max_output_tokens", async () => {
    env.sim.enqueue({ content: "cut", finishReason: "length" });
    const response = await client().responses.create({ model: "umans-coder-v0", input: "hi", max_output_tokens: 16 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("refuses what it cannot serve with a 400 naming the field", async () => {
    const openai = client();
    await expect(
      openai.responses.create({ model: "umans-coder-v0", input: "hi", tools: [{ type: "web_search" }] }),
    ).rejects.toMatchObject({ status: 400, param: "tools[0].type" });
    await expect(
      openai.responses.create({ model: "umans-coder-v0", input: "hi", previous_response_id: "resp_123" }),
    ).rejects.toMatchObject({ status: 400, param: "previous_response_id" });
    await expect(
      openai.responses.create({ model: "umans-coder-v0", input: "hi", background: true }),
    ).rejects.toMatchObject({ status: 400, param: "background" });
    expect(upstreamBodies()).toHaveLength(0);
  });
});

describe("models", () => {
  it("models.list answers in OpenAI's shape for an OpenAI client", async () => {
    const page = await client().models.list();
    expect(page.data).toContainEqual({
      id: "umans-coder-v0",
      object: "model",
      created: expect.any(Number),
      owned_by: "perimeter",
    });
    const model = await client().models.retrieve("umans-coder-v0");
    expect(model.object).toBe("model");
    await expect(client().models.retrieve("gpt-4o")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });
});

describe("limits and metering, as for /v1/messages", () => {
  async function gatewayWith(limits: Limits): Promise<TestGateway> {
    const gw = await startTestGateway({
      databaseUrl: inject("databaseUrl"),
      redisUrl: inject("redisUrl"),
      upstreamUrl: env.sim.url,
    });
    const set = await setLimits(gw.ctx, { target: { type: "team", teamId: gw.team.team.id }, limits });
    if (!set.ok) throw new Error(set.code);
    return gw;
  }

  it("requests per minute: 429 RateLimitError with retry-after and the same explanation", async () => {
    const gw = await gatewayWith({ requestsPerMinute: 2 });
    try {
      const openai = client(gw.token, gw.url);
      env.sim.enqueue({ content: "one" }, { content: "two" });
      await openai.chat.completions.create({ model: "umans-coder-v0", messages: [{ role: "user", content: "hi" }] });
      await openai.responses.create({ model: "umans-coder-v0", input: "hi" });
      const refused = await openai.responses.create({ model: "umans-coder-v0", input: "hi" }).then(
        () => undefined,
        (error: unknown) => error as InstanceType<typeof OpenAI.RateLimitError>,
      );
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const retryAfter = Number(refused?.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused?.headers.get("x-should-retry")).toBe("true");
      expect(refused?.headers.get("x-ratelimit-limit-requests")).toBe("2");
      expect(refused?.headers.get("x-ratelimit-remaining-requests")).toBe("0");
      expect(refused?.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);
      expect(refused?.error).toEqual({
        message: `rate limit exceeded: team.requests_per_minute allows 2 requests per minute; retry in ${retryAfter} s`,
        type: "rate_limit_exceeded",
        param: null,
        code: "rate_limit_exceeded",
      });
      const events = await meteredEvents(gw, 3);
      expect(events.map((event) => [event.endpoint, event.status, event.limitDecision])).toEqual([
        ["chat_completions", 200, "admitted"],
        ["responses", 200, "admitted"],
        ["responses", 429, "team.requests_per_minute"],
      ]);
    } finally {
      await gw.stop();
    }
  });

  it("concurrency: a second request while a stream runs is refused; the slot is free once it ends", async () => {
    const gw = await gatewayWith({ maxConcurrentRequests: 1 });
    try {
      const openai = client(gw.token, gw.url);
      env.sim.enqueue({ content: "slow answer", pauses: [{ afterChunk: 1, ms: 400 }] }, { content: "next" });
      const stream = await openai.responses.create({ model: "umans-coder-v0", input: "hi", stream: true });
      await expect(
        openai.chat.completions.create({ model: "umans-coder-v0", messages: [{ role: "user", content: "hi" }] }),
      ).rejects.toMatchObject({ status: 429, code: "rate_limit_exceeded" });
      for await (const _ of stream) {
        // drain
      }
      const after = await openai.chat.completions.create({
        model: "umans-coder-v0",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(after.choices[0]?.message.content).toBe("next");
    } finally {
      await gw.stop();
    }
  });

  it("one usage event per request with the same fields as /v1/messages, and its endpoint", async () => {
    const gw = env.gateway;
    const before = (await meteredEvents(gw, 0)).length;
    env.sim.enqueue({ content: "a" }, { content: "b" }, { content: "c" });
    const chat = await client().chat.completions.create({
      model: "umans-coder-v0",
      messages: [{ role: "user", content: "same prompt" }],
    });
    const response = await client().responses.create({ model: "umans-coder-v0", input: "same prompt", stream: false });
    const messages = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": gw.token, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "umans-coder-v0",
        max_tokens: 64,
        messages: [{ role: "user", content: "same prompt" }],
      }),
    });
    expect(messages.status).toBe(200);
    const events = (await meteredEvents(gw, before + 3)).slice(before);
    expect(events.map((event) => event.endpoint)).toEqual(["chat_completions", "responses", "messages"]);
    for (const event of events) {
      expect(event).toMatchObject({
        orgId: gw.key.orgId,
        apiKeyId: gw.key.id,
        teamId: gw.team.team.id,
        model: "umans-coder-v0",
        servedModel: "umans-coder",
        status: 200,
        limitDecision: "admitted",
        stopReason: "end_turn",
        clientAbort: false,
      });
    }
    const [chatEvent, responsesEvent] = events;
    expect((chatEvent?.inputTokens ?? 0) + (chatEvent?.cacheReadInputTokens ?? 0)).toBe(chat.usage?.prompt_tokens);
    expect(chatEvent?.outputTokens).toBe(chat.usage?.completion_tokens);
    expect((responsesEvent?.inputTokens ?? 0) + (responsesEvent?.cacheReadInputTokens ?? 0)).toBe(
      response.usage?.input_tokens,
    );
    expect(responsesEvent?.cacheReadInputTokens).toBe(response.usage?.input_tokens_details.cached_tokens);
    expect(responsesEvent?.outputTokens).toBe(response.usage?.output_tokens);
  });
});
