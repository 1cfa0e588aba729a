import AnthropicLatest from "@anthropic-ai/sdk";
import AnthropicLast0x from "anthropic-sdk-0";
import { describe, expect, it } from "vitest";
import { useSimAndGateway } from "./testing/sim-and-gateway.ts";
import { writeToolTurn } from "./testing/write-tool-turn.ts";

const env = useSimAndGateway();

// The official SDKs against the gateway and vllm-sim: the latest 1.x and the last 0.x (which is what
// Claude Code bundles a version of). Their parsers, typed errors and stream accumulators are the judges.

const tools = [
  {
    name: "Write",
    description: "Write a file",
    input_schema: {
      type: "object" as const,
      properties: { file_path: { type: "string" }, content: { type: "string" } },
      required: ["file_path", "content"],
    },
  },
];
const request = {
  model: "claude-sonnet-5",
  max_tokens: 4096,
  system: [{ type: "text" as const, text: "You are a coding agent.", cache_control: { type: "ephemeral" as const } }],
  messages: [{ role: "user" as const, content: "Create hello.txt" }],
  tools,
  tool_choice: { type: "auto" as const },
  thinking: { type: "enabled" as const, budget_tokens: 2048 },
  metadata: { user_id: "dev-1" },
};
const turn = writeToolTurn;

/**
 * A message without what legitimately differs between two answers (the message id) and without the
 * fields the SDK's own accumulator adds (`parsed_output`, `stop_details`), as plain JSON.
 */
function comparable(message: object) {
  const { id: _, parsed_output: __, stop_details: ___, ...rest } = JSON.parse(JSON.stringify(message));
  return rest;
}

// The last 0.x client is typed by its own, older declarations; the calls made here exist in both.
const clients: [string, (token: string) => AnthropicLatest][] = [
  [
    "@anthropic-ai/sdk latest 1.x",
    (token) => new AnthropicLatest({ baseURL: env.gateway.url, apiKey: token, maxRetries: 0 }),
  ],
  [
    "@anthropic-ai/sdk last 0.x",
    (token) =>
      new AnthropicLast0x({ baseURL: env.gateway.url, apiKey: token, maxRetries: 0 }) as unknown as AnthropicLatest,
  ],
];

describe.each(clients)("%s", (_name, makeClient) => {
  it("messages.create, non-streaming, with tools and thinking", async () => {
    env.sim.enqueue(turn);
    const message = await makeClient(env.gateway.token).messages.create(request);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-sonnet-5",
      stop_reason: "tool_use",
      content: [
        { type: "thinking", thinking: turn.reasoning },
        { type: "text", text: turn.content },
        { type: "tool_use", name: "Write", input: { file_path: "/work/hello.txt", content: "hello\n" } },
      ],
    });
  });

  it("messages.create with stream: true yields every event of a complete message", async () => {
    env.sim.enqueue(turn);
    const stream = await makeClient(env.gateway.token).messages.create({ ...request, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect(types.filter((type) => type === "content_block_start")).toHaveLength(3);
  });

  it("messages.stream() accumulates the same message as the non-streamed call for the same script", async () => {
    const client = makeClient(env.gateway.token);
    env.sim.enqueue(turn);
    const whole = await client.messages.create(request);
    env.sim.reset(); // the same conditions, prefix cache included
    env.sim.enqueue(turn);
    const streamed = await client.messages.stream(request).finalMessage();
    expect(comparable(streamed)).toEqual(comparable(whole));
  });

  it("messages.stream() on a plain text answer, and its text events", async () => {
    env.sim.enqueue({ content: "Just text, in several chunks." });
    const texts: string[] = [];
    const stream = makeClient(env.gateway.token).messages.stream({
      ...request,
      tools: [],
      thinking: { type: "disabled" },
    });
    stream.on("text", (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join("")).toBe("Just text, in several chunks.");
    expect(message.stop_reason).toBe("end_turn");
  });

  it("messages.countTokens equals the prompt the generation reports", async () => {
    const client = makeClient(env.gateway.token);
    const { max_tokens: _, metadata: __, ...prompt } = request;
    const counted = await client.messages.countTokens(prompt);
    env.sim.enqueue(turn);
    const message = await client.messages.create(request);
    expect(counted.input_tokens).toBe(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0));
  });

  it("raises the SDK's typed errors for a bad key and an unknown model", async () => {
    await expect(makeClient("sk-prm-nope").messages.create(request)).rejects.toMatchObject({ status: 401 });
    await expect(makeClient(env.gateway.token).messages.create({ ...request, model: "gpt-4o" })).rejects.toMatchObject({
      status: 404,
      error: { type: "error", error: { type: "not_found_error", message: "model: gpt-4o" } },
    });
  });
});
