import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type MessagesRequest, messagesRequestSchema, parseRequest } from "./anthropic.ts";
import {
  type TranslatePromptOptions,
  toChatCompletionRequest,
  toTokenizeRequest,
  translatePrompt,
} from "./translate-request.ts";

const fixtures = path.join(import.meta.dirname, "fixtures", "requests");
const options: TranslatePromptOptions = {
  servedModel: "umans-coder",
  stripBillingHeader: true,
  systemMessages: "reminder",
  serverTools: "reject",
  thinkingPolicy: "client",
};

function parse(body: unknown): MessagesRequest {
  const parsed = parseRequest(messagesRequestSchema, body);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

function translate(body: unknown, overrides: Partial<TranslatePromptOptions> = {}) {
  const request = parse(body);
  const result = translatePrompt(request, { ...options, ...overrides });
  if (!result.ok) return result;
  return {
    ok: true as const,
    body: toChatCompletionRequest(result.prompt, request, {
      maxTokens: request.max_tokens,
      stream: request.stream ?? false,
    }),
  };
}

const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: unknown) => ({ role: "assistant", content });
const body = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
  model: "m",
  max_tokens: 100,
  messages,
  ...extra,
});

describe("translatePrompt: golden fixture pairs", () => {
  const cases = readdirSync(fixtures)
    .filter((file) => file.endsWith(".anthropic.json"))
    .map((file) => file.replace(/\.anthropic\.json$/, ""));

  it.each(cases)("%s", async (name) => {
    const input = JSON.parse(readFileSync(path.join(fixtures, `${name}.anthropic.json`), "utf8"));
    const result = translate(input);
    if (!result.ok) throw new Error(result.message);
    await expect(`${JSON.stringify(result.body, null, 2)}\n`).toMatchFileSnapshot(
      path.join(fixtures, `${name}.openai.json`),
    );
  });
});

describe("translatePrompt: Claude Code's fields (T-03, T-04, T-08)", () => {
  const firstTurn = JSON.parse(readFileSync(path.join(fixtures, "claude-code-first-turn.anthropic.json"), "utf8"));

  it("forwards none of Claude Code's Anthropic-only fields and turns adaptive thinking on", () => {
    const result = translate(firstTurn);
    if (!result.ok) throw new Error(result.message);
    const upstream = JSON.stringify(result.body);
    expect(Object.keys(result.body).sort()).toEqual([
      "chat_template_kwargs",
      "max_tokens",
      "messages",
      "model",
      "stream",
      "stream_options",
      "tool_choice",
      "tools",
    ]);
    for (const field of ["context_management", "cache_control", "effort", "device_id", "ephemeral"]) {
      expect(upstream).not.toContain(field);
    }
    expect(result.body.chat_template_kwargs).toEqual({ thinking: true });
    expect(upstream).not.toContain("x-anthropic-billing-header");
  });

  it("keeps exactly one leading system message, the mid-conversation one becoming user text", () => {
    const result = translate(firstTurn);
    if (!result.ok) throw new Error(result.message);
    const roles = result.body.messages.map((message) => message.role);
    expect(roles).toEqual(["system", "user"]);
    expect(result.body.messages[1]?.content).toContain("<system-reminder>\nAvailable agent types for the Agent tool:");
  });

  it("folds mid-conversation system messages into the leading one when so configured", () => {
    const result = translate(firstTurn, { systemMessages: "fold" });
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(result.body.messages[0]?.content).toContain("Available agent types for the Agent tool:");
    expect(result.body.messages[1]?.content).not.toContain("Available agent types");
  });

  it("keeps the billing header when stripping is turned off", () => {
    const result = translate(firstTurn, { stripBillingHeader: false });
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages[0]?.content).toMatch(/^x-anthropic-billing-header: cc_version=/);
  });

  it("drops effort with thinking disabled and sends thinking=false (T-08)", () => {
    const result = translate(body([user("hi")], { thinking: { type: "disabled" }, output_config: { effort: "high" } }));
    if (!result.ok) throw new Error(result.message);
    expect(result.body.chat_template_kwargs).toEqual({ thinking: false });
    expect(JSON.stringify(result.body)).not.toMatch(/effort/);
  });

  it("lets the team's thinking policy override the client", () => {
    const on = translate(body([user("hi")]), { thinkingPolicy: "force_on" });
    const off = translate(body([user("hi")], { thinking: { type: "enabled", budget_tokens: 2048 } }), {
      thinkingPolicy: "force_off",
    });
    expect(on.ok && on.body.chat_template_kwargs.thinking).toBe(true);
    expect(off.ok && off.body.chat_template_kwargs.thinking).toBe(false);
  });

  it("accepts unknown fields anywhere instead of rejecting them", () => {
    const result = translate(
      body([{ role: "user", content: [{ type: "text", text: "hi", citations: null, future_field: 1 }], extra: true }], {
        container: "c",
        service_tier: "auto",
        inference_geo: "eu",
        mcp_servers: [],
        cache_control: { type: "ephemeral" },
        brand_new_field: { nested: true },
      }),
    );
    expect(result.ok).toBe(true);
  });
});

describe("translatePrompt: conversation rules", () => {
  it("puts reasoning back only on assistant turns after the last user message (T-05, T-06)", () => {
    const input = JSON.parse(readFileSync(path.join(fixtures, "thinking-tool-loop.anthropic.json"), "utf8"));
    const result = translate(input);
    if (!result.ok) throw new Error(result.message);
    const assistants = result.body.messages.filter((message) => message.role === "assistant");
    expect(assistants.map((message) => ("reasoning" in message ? message.reasoning : undefined))).toEqual([
      undefined,
      "I should read a.md first.",
      "Now b.md.",
    ]);
    expect(JSON.stringify(result.body)).not.toContain('"type":"thinking"');
  });

  it("orders tool results as the calls were made, one per call, with placeholders (T-07)", () => {
    const input = JSON.parse(readFileSync(path.join(fixtures, "tool-results-out-of-order.anthropic.json"), "utf8"));
    const result = translate(input);
    if (!result.ok) throw new Error(result.message);
    const tools = result.body.messages.filter((message) => message.role === "tool");
    expect(tools).toEqual([
      { role: "tool", tool_call_id: "toolu_b", content: "[tool error] a.txt\nb.txt" },
      {
        role: "tool",
        tool_call_id: "toolu_a",
        content: "line 1\nline 2\n[image omitted: this model cannot read images]",
      },
      { role: "tool", tool_call_id: "toolu_c", content: "(no result)" },
    ]);
  });

  it("joins several results for one call into one tool message (F1)", () => {
    const result = translate(
      body([
        user("go"),
        assistant([{ type: "tool_use", id: "t1", name: "Bash", input: {} }]),
        user([
          { type: "tool_result", tool_use_id: "t1", content: "part one" },
          { type: "tool_result", tool_use_id: "t1", content: "part two" },
        ]),
      ]),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages.filter((message) => message.role === "tool")).toEqual([
      { role: "tool", tool_call_id: "t1", content: "part one\npart two" },
    ]);
  });

  it("answers calls the client left without results before the next turn, which stays a user turn", () => {
    const result = translate(
      body([user("go"), assistant([{ type: "tool_use", id: "t1", name: "Bash", input: {} }]), user("never mind")]),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages.slice(1)).toEqual([
      { role: "assistant", content: "", tool_calls: [expect.objectContaining({ id: "t1" })] },
      { role: "tool", tool_call_id: "t1", content: "(no result)" },
      { role: "user", content: "never mind" },
    ]);
  });

  it("holds a system message sent between a call and its result until after the result", () => {
    const result = translate(
      body([
        user("go"),
        assistant([{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }]),
        { role: "system", content: "Be brief." },
        user([{ type: "tool_result", tool_use_id: "t1", content: "ok" }]),
      ]),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "t1", content: "ok\n\n<system-reminder>\nBe brief.\n</system-reminder>" },
    ]);
  });

  it("refuses results for calls the previous message did not make, in Anthropic's words", () => {
    const result = translate(body([user("go"), user([{ type: "tool_result", tool_use_id: "nope", content: "x" }])]));
    expect(result).toEqual({
      ok: false,
      message:
        "messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks: nope. Each `tool_result` " +
        "block must have a corresponding `tool_use` block in the previous message.",
    });
  });

  it("refuses a final assistant message, which the model cannot continue (XL-19b)", () => {
    const result = translate(body([user("go"), assistant("Sure, here is")]));
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^messages\.1: a final assistant message/),
    });
  });

  it("refuses an empty conversation and unsupported blocks with the block's path", () => {
    expect(translate(body([]))).toEqual({ ok: false, message: "messages: at least one message is required" });
    expect(
      translate(
        body([
          user([
            { type: "text", text: "a" },
            { type: "container_upload", file_id: "f" },
          ]),
        ]),
      ),
    ).toEqual({
      ok: false,
      message: "messages.0.content.1.type: `container_upload` blocks are not supported in user content",
    });
    expect(translate(body([user([{ type: "text" }])]))).toEqual({
      ok: false,
      message: "messages.0.content.0.text: Input should be a valid string",
    });
  });
});

describe("translatePrompt: tools (XL-40, XL-41, T-28)", () => {
  const weather = { name: "get_weather", input_schema: { type: "object", properties: {} } };

  it("maps every tool_choice", () => {
    const choice = (tool_choice: unknown) => {
      const result = translate(body([user("x")], { tools: [weather], tool_choice }));
      if (!result.ok) throw new Error(result.message);
      return [result.body.tool_choice, result.body.parallel_tool_calls];
    };
    expect(choice(undefined)).toEqual(["auto", undefined]);
    expect(choice({ type: "auto" })).toEqual(["auto", undefined]);
    expect(choice({ type: "any", disable_parallel_tool_use: true })).toEqual(["required", false]);
    expect(choice({ type: "none" })).toEqual(["none", undefined]);
    expect(choice({ type: "tool", name: "get_weather" })).toEqual([
      { type: "function", function: { name: "get_weather" } },
      undefined,
    ]);
  });

  it("refuses a named tool_choice for a tool that is not in the list", () => {
    expect(translate(body([user("x")], { tools: [weather], tool_choice: { type: "tool", name: "other" } }))).toEqual({
      ok: false,
      message: "tool_choice.name: no tool named `other` in `tools`",
    });
  });

  it("refuses server tools by name and type, or strips them when so configured", () => {
    const tools = [weather, { type: "web_search_20250305", name: "web_search", max_uses: 8 }];
    expect(translate(body([user("x")], { tools }))).toEqual({
      ok: false,
      message:
        "tools.1: server tool `web_search_20250305` (web_search) is not available: this deployment serves a " +
        "self-hosted model that cannot run Anthropic's server tools",
    });
    const stripped = translate(body([user("x")], { tools }), { serverTools: "strip" });
    expect(stripped.ok && stripped.body.tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);
  });

  it("sends no tool fields when only server tools were given and stripped", () => {
    const stripped = translate(body([user("x")], { tools: [{ type: "bash_20250124", name: "bash" }] }), {
      serverTools: "strip",
    });
    expect(stripped.ok && [stripped.body.tools, stripped.body.tool_choice]).toEqual([undefined, undefined]);
  });
});

describe("toTokenizeRequest", () => {
  it("asks /tokenize about exactly the prompt a completion would send, generation prompt included", () => {
    const request = parse(
      body([user("hi")], { thinking: { type: "adaptive" }, tools: [{ name: "t", input_schema: {} }] }),
    );
    const result = translatePrompt(request, options);
    if (!result.ok) throw new Error(result.message);
    const completion = toChatCompletionRequest(result.prompt, request, { maxTokens: 100, stream: true });
    expect(toTokenizeRequest(result.prompt)).toEqual({
      model: completion.model,
      messages: completion.messages,
      tools: completion.tools,
      chat_template_kwargs: completion.chat_template_kwargs,
      add_generation_prompt: true,
    });
  });
});

describe("parseRequest", () => {
  it("names the first invalid field", () => {
    expect(parseRequest(messagesRequestSchema, { model: "m", messages: [] })).toEqual({
      ok: false,
      message: "max_tokens: Invalid input: expected number, received undefined",
    });
    expect(
      parseRequest(messagesRequestSchema, { model: "m", max_tokens: 1, messages: [{ role: "bot", content: "x" }] }),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^messages\.0\.role: /) });
    expect(parseRequest(messagesRequestSchema, "nope")).toMatchObject({ ok: false, message: /^body: / });
  });
});

describe("translatePrompt: images inline for a vision model", () => {
  const png = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
  const url = { type: "image", source: { type: "url", url: "https://example.test/shot.png" } };

  it("writes user images as image_url parts in place, and tool-result images in a user message after the results", () => {
    const result = translate(
      body([
        user([{ type: "text", text: "before" }, png, { type: "text", text: "after" }]),
        assistant([
          { type: "tool_use", id: "t1", name: "Read", input: { file_path: "a.png" } },
          { type: "tool_use", id: "t2", name: "Read", input: { file_path: "b.png" } },
        ]),
        user([
          { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a.png:" }, url] },
          { type: "tool_result", tool_use_id: "t2", content: [png] },
        ]),
      ]),
      { images: "inline" },
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "before" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "text", text: "after" },
        ],
      },
      expect.objectContaining({ role: "assistant" }),
      { role: "tool", tool_call_id: "t1", content: "a.png:\n[image 1: sent in the next message]" },
      { role: "tool", tool_call_id: "t2", content: "[image 2: sent in the next message]" },
      {
        role: "user",
        content: [
          { type: "text", text: "Images returned by the tool results above:" },
          { type: "image_url", image_url: { url: "https://example.test/shot.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
    ]);
  });

  it("leaves requests without images exactly as the text-only translation makes them", () => {
    const plain = body([user([{ type: "text", text: "hi" }])]);
    expect(translate(plain, { images: "inline" })).toEqual(translate(plain));
  });
});
