import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRequest } from "./anthropic.ts";
import { type ResponsesRequest, responsesRequestSchema } from "./responses.ts";
import {
  responsesChatRequest,
  responsesThinking,
  type TranslateResponsesOptions,
  translateResponsesRequest,
} from "./translate-responses-request.ts";

const fixtures = path.join(import.meta.dirname, "fixtures", "responses");
const options: TranslateResponsesOptions = {
  servedModel: "umans-coder",
  serverTools: "reject",
  thinkingPolicy: "client",
};

function parse(body: unknown): ResponsesRequest {
  const parsed = parseRequest(responsesRequestSchema, body);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

function translate(body: unknown, overrides: Partial<TranslateResponsesOptions> = {}) {
  const request = parse(body);
  const result = translateResponsesRequest(request, { ...options, ...overrides });
  if (!result.ok) return result;
  return {
    ok: true as const,
    translation: result.translation,
    body: responsesChatRequest(result.translation, {
      maxTokens: request.max_output_tokens ?? 32_000,
      stream: request.stream === true,
    }),
  };
}

const cases = readdirSync(fixtures)
  .filter((file) => file.endsWith(".responses.json"))
  .map((file) => file.replace(/\.responses\.json$/, ""));

describe("translateResponsesRequest: fixture pairs", () => {
  it.each(cases)("%s", async (name) => {
    const body = JSON.parse(readFileSync(path.join(fixtures, `${name}.responses.json`), "utf8"));
    const result = translate(body);
    if (!result.ok) throw new Error(result.message);
    await expect(`${JSON.stringify(result.body, null, 2)}\n`).toMatchFileSnapshot(
      path.join(fixtures, `${name}.chat.json`),
    );
  });
});

const hi = { model: "umans-coder-v0", input: "hi" };

describe("translateResponsesRequest: input items", () => {
  it("a string input is one user message; instructions are the system message", () => {
    const result = translate({ ...hi, instructions: "Be brief." });
    expect(result.ok && result.body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
  });

  it("leading developer and system messages join the system prompt; later ones become user text in place", () => {
    const result = translate({
      model: "m",
      instructions: "A",
      input: [
        { role: "developer", content: "B" },
        { role: "system", content: [{ type: "input_text", text: "C" }] },
        { role: "user", content: "q1" },
        { role: "assistant", content: [{ type: "output_text", text: "a1" }] },
        { role: "developer", content: "D" },
        { role: "user", content: "q2" },
      ],
    });
    expect(result.ok && result.body.messages).toEqual([
      { role: "system", content: "A\n\nB\n\nC" },
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "D\n\nq2" },
    ]);
  });

  it("images and files become the placeholders /v1/messages uses, in a message or a tool output", () => {
    const result = translate({
      model: "m",
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "look:" },
            { type: "input_image", image_url: "data:," },
          ],
        },
        { type: "function_call", call_id: "c1", name: "view_image", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: [{ type: "input_file", file_id: "f" }] },
      ],
    });
    expect(result.ok && result.body.messages).toMatchObject([
      { role: "user", content: "look:\n[image omitted: this model cannot read images]" },
      { role: "assistant" },
      { role: "tool", content: "[document omitted: this model reads text only]" },
    ]);
  });

  it("reasoning items become the reasoning of the next assistant message; summaries when there is no content", () => {
    const result = translate({
      model: "m",
      input: [
        { role: "user", content: "q" },
        { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "summary only" }] },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call", call_id: "c2", name: "g", arguments: '{"x":1}' },
        { type: "function_call_output", call_id: "c1", output: [{ type: "input_text", text: "one" }] },
        { type: "function_call_output", call_id: "c2", output: "two" },
      ],
    });
    expect(result.ok && result.body.messages).toEqual([
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: "",
        reasoning: "summary only",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
          { id: "c2", type: "function", function: { name: "g", arguments: '{"x":1}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "one" },
      { role: "tool", tool_call_id: "c2", content: "two" },
    ]);
  });

  it.each([
    [
      { ...hi, input: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] },
      "input[0].content[0].type",
    ],
    [{ ...hi, input: [{ type: "item_reference", id: "msg_1" }] }, "input[0].type"],
    [{ ...hi, input: [{ type: "local_shell_call", call_id: "c" }] }, "input[0].type"],
    [{ ...hi, input: [{ role: "critic", content: "x" }] }, "input[0].role"],
    [{ ...hi, input: [{ type: "function_call", name: "f" }] }, "input[0].call_id"],
    [{ ...hi, input: [{ role: "system", content: "only a system prompt" }] }, "input"],
  ])("refuses %j naming %s", (body, param) => {
    const result = translate(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.param).toBe(param);
      expect(result.message.startsWith(`${param}: `)).toBe(true);
    }
  });
});

describe("translateResponsesRequest: tools and settings", () => {
  const fn = { type: "function", name: "f", parameters: { type: "object", properties: {} } };

  it("flat function tools become chat tools; tool_choice and parallel_tool_calls carry over", () => {
    const result = translate({
      ...hi,
      tools: [fn],
      tool_choice: { type: "function", name: "f" },
      parallel_tool_calls: false,
    });
    expect(result.ok && result.body).toMatchObject({
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      tool_choice: { type: "function", function: { name: "f" } },
      parallel_tool_calls: false,
    });
    const none = translate({ ...hi, tools: [fn], tool_choice: "none" });
    expect(none.ok && none.body.tool_choice).toBe("none");
    const noTools = translate({ ...hi, tool_choice: "required" });
    expect(noTools.ok && noTools.body).not.toHaveProperty("tool_choice");
  });

  it("hosted tools are refused by name, or stripped under the strip policy; custom tools always refused", () => {
    const body = { ...hi, tools: [fn, { type: "web_search", external_web_access: true }] };
    const refused = translate(body);
    expect(refused).toMatchObject({ ok: false, param: "tools[1].type" });
    expect(!refused.ok && refused.message).toContain("hosted tool `web_search` is not available");
    const stripped = translate(body, { serverTools: "strip" });
    expect(stripped.ok && stripped.body.tools).toHaveLength(1);
    expect(
      translate({ ...hi, tools: [{ type: "custom", name: "apply_patch" }] }, { serverTools: "strip" }),
    ).toMatchObject({ ok: false, param: "tools[0].type" });
  });

  it("namespace tools are listed flat and remembered for tagging the calls", () => {
    const result = translate({ ...hi, tools: [{ type: "namespace", name: "ns", tools: [fn] }] });
    expect(result.ok && result.translation.namespaces).toEqual({ f: "ns" });
    expect(result.ok && result.body.tools).toHaveLength(1);
  });

  it.each([
    [{ ...hi, previous_response_id: "resp_1" }, "previous_response_id"],
    [{ ...hi, background: true }, "background"],
    [{ ...hi, conversation: "conv_1" }, "conversation"],
    [{ ...hi, prompt: { id: "pmpt_1" } }, "prompt"],
    [{ ...hi, tools: [fn], tool_choice: { type: "function", name: "g" } }, "tool_choice.name"],
    [{ ...hi, tools: [fn], tool_choice: { type: "file_search" } }, "tool_choice.type"],
    [{ ...hi, text: { format: { type: "json_schema", name: "x" } } }, "text.format.schema"],
  ])("refuses %j naming %s", (body, param) => {
    expect(translate(body)).toMatchObject({ ok: false, param });
  });

  it("accepts and ignores what changes nothing here: store, include, metadata, prompt_cache_key", () => {
    const result = translate({
      ...hi,
      store: true,
      include: ["reasoning.encrypted_content"],
      metadata: { a: "b" },
      prompt_cache_key: "k",
    });
    expect(result.ok && Object.keys(result.body).sort()).toEqual([
      "chat_template_kwargs",
      "max_tokens",
      "messages",
      "model",
      "stream",
    ]);
  });

  it("reasoning.effort turns thinking on except none and minimal; the team's policy wins", () => {
    const think = (reasoning: unknown, policy: TranslateResponsesOptions["thinkingPolicy"] = "client") =>
      responsesThinking(parse({ ...hi, reasoning }), policy);
    expect([think({ effort: "low" }), think({ effort: "high" }), think({ effort: "xhigh" })]).toEqual([
      true,
      true,
      true,
    ]);
    expect([think({ effort: "none" }), think({ effort: "minimal" }), think({ summary: "auto" }), think(null)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([think({ effort: "high" }, "force_off"), think(null, "force_on")]).toEqual([false, true]);
  });

  it("a stream asks vLLM for usage on every chunk", () => {
    const result = translate({ ...hi, stream: true });
    expect(result.ok && result.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true, continuous_usage_stats: true },
    });
  });
});
