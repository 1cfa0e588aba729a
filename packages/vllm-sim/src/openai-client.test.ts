import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { readTool } from "./testing/sim-client.ts";

// The official client must read the simulator's answers without errors, as it reads vLLM's.
describe("the openai npm client", () => {
  let sim: RunningVllmSim;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startVllmSim({ apiKey: "sk-sim" });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "sk-sim", maxRetries: 0 });
  });

  afterAll(async () => {
    await sim.close();
  });

  const tools = [readTool] as OpenAI.Chat.ChatCompletionTool[];

  it("lists the model", async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["umans-coder"]);
  });

  it("reads a non-streamed completion with a tool call", async () => {
    sim.enqueue({ content: "Reading.", toolCalls: [{ name: "Read", arguments: { file_path: "/r.md" } }] });
    const completion = await client.chat.completions.create({
      model: "umans-coder",
      messages: [{ role: "user", content: "read it" }],
      tools,
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ file_path: "/r.md" });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("reads a stream with tool calls and usage, and its helper assembles the message", async () => {
    sim.enqueue({
      reasoning: "think",
      content: "Sure.",
      toolCalls: [
        { name: "Read", arguments: { file_path: "/a" } },
        { name: "Read", arguments: { file_path: "/b" } },
      ],
    });
    const stream = client.chat.completions.stream({
      model: "umans-coder",
      messages: [{ role: "user", content: "read two" }],
      tools,
      stream_options: { include_usage: true },
      // vLLM-specific fields pass through as extra body members.
      ...({ chat_template_kwargs: { thinking: true } } as object),
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(message?.content).toBe("Sure.");
    expect(message?.tool_calls?.map((call) => call.type === "function" && JSON.parse(call.function.arguments))).toEqual(
      [{ file_path: "/a" }, { file_path: "/b" }],
    );
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("surfaces vLLM errors as the client's typed errors", async () => {
    await expect(
      client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const anonymous = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(anonymous.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
