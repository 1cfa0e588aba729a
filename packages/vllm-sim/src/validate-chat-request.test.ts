import { describe, expect, it } from "vitest";
import { readTool } from "./testing/sim-client.ts";
import { type ChatRequestOptions, validateChatRequest } from "./validate-chat-request.ts";

const options: ChatRequestOptions = {
  servedModel: "umans-coder",
  enableAutoToolChoice: true,
  reasoningField: "reasoning",
};
const call = (id: string, args = '{"file_path": "a"}') => ({
  id,
  type: "function",
  function: { name: "Read", arguments: args },
});
const user = { role: "user", content: "go" };

function refusal(body: Record<string, unknown>, opts = options): string {
  const result = validateChatRequest({ model: "umans-coder", ...body }, opts);
  if (result.ok) throw new Error("expected a refusal");
  expect(result.error.status).toBe(400);
  return result.error.body.error.message;
}

describe("validateChatRequest", () => {
  it("accepts a normal tool loop and flattens text parts of user messages with newlines", () => {
    const result = validateChatRequest(
      {
        messages: [
          {
            role: "system",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
          user,
          { role: "assistant", content: null, tool_calls: [call("c1"), call("c2")] },
          { role: "tool", tool_call_id: "c1", content: "one" },
          { role: "tool", tool_call_id: "c2", content: "two" },
        ],
        tools: [readTool],
      },
      options,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.messages[0]?.content).toBe("a\nb");
    expect(result.request.toolChoice).toBe("auto");
    expect(result.request.messages[2]?.toolCalls).toEqual([
      { name: "Read", arguments: { file_path: "a" } },
      { name: "Read", arguments: { file_path: "a" } },
    ]);
  });

  it("refuses a system message anywhere but first", () => {
    expect(refusal({ messages: [user, { role: "system", content: "late" }, user] })).toContain(
      "messages[1] is a system message; only the first message may be a system message",
    );
  });

  it("refuses consecutive user or assistant messages", () => {
    expect(refusal({ messages: [user, user] })).toContain("messages[0] and messages[1] are both user messages");
    expect(
      refusal({ messages: [user, { role: "assistant", content: "a" }, { role: "assistant", content: "b" }, user] }),
    ).toContain("messages[1] and messages[2] are both assistant messages");
  });

  it("refuses tool results out of order, missing, extra or without a call", () => {
    const assistant = { role: "assistant", content: null, tool_calls: [call("c1"), call("c2")] };
    expect(
      refusal({
        messages: [
          user,
          assistant,
          { role: "tool", tool_call_id: "c2", content: "x" },
          { role: "tool", tool_call_id: "c1", content: "y" },
        ],
      }),
    ).toContain('messages[2].tool_call_id is "c2" but the next tool result expected is for "c1"');
    expect(
      refusal({ messages: [user, assistant, { role: "tool", tool_call_id: "c1", content: "x" }, user] }),
    ).toContain(
      "messages[1] (assistant) has 2 tool_calls but only 1 tool messages follow it before messages[3] (user)",
    );
    expect(
      refusal({
        messages: [
          user,
          { role: "assistant", content: null, tool_calls: [call("c1")] },
          { role: "tool", tool_call_id: "c1", content: "x" },
          { role: "tool", tool_call_id: "c9", content: "y" },
        ],
      }),
    ).toContain("messages[3] is tool result number 2 for messages[1], which made only 1 tool_calls");
    expect(refusal({ messages: [user, { role: "tool", tool_call_id: "c1", content: "x" }] })).toContain(
      "messages[1] is a tool message that does not follow an assistant message with tool_calls",
    );
  });

  it("says which content-part arrays are allowed", () => {
    expect(
      refusal({ messages: [user, { role: "assistant", content: [{ type: "text", text: "a" }] }, user] }),
    ).toContain("messages[1].content must be a string for a assistant message");
    expect(
      refusal({
        messages: [
          user,
          { role: "assistant", content: null, tool_calls: [call("c1")] },
          { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "r" }] },
        ],
      }),
    ).toContain("only system, developer and user messages accept an array of text parts");
    expect(refusal({ messages: [{ role: "user", content: [{ type: "thinking", thinking: "x" }] }] })).toContain(
      "content part type 'thinking' is not supported",
    );
  });

  it("refuses image_url parts on this text-only model", () => {
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } };
    expect(refusal({ messages: [{ role: "user", content: [{ type: "text", text: "see" }, image] }] })).toContain(
      "messages[0].content[1]: umans-coder serves a text-only model",
    );
  });

  it("refuses tool-call arguments that are not a JSON object", () => {
    const loop = (args: string) => ({
      messages: [
        user,
        { role: "assistant", content: null, tool_calls: [call("c1", args)] },
        { role: "tool", tool_call_id: "c1", content: "x" },
      ],
    });
    expect(refusal(loop("{not json"))).toContain("messages[1].tool_calls[0].function.arguments is not valid JSON");
    expect(refusal(loop("[1, 2]"))).toContain("messages[1].tool_calls[0].function.arguments must be a JSON object");
  });

  it("in thinking mode, refuses an assistant turn after the last user message with neither reasoning nor tool calls", () => {
    const messages = [user, { role: "assistant", content: "text only" }];
    expect(refusal({ messages, chat_template_kwargs: { thinking: true } })).toContain(
      "messages[1] (assistant, after the last user message) has neither reasoning nor tool_calls",
    );
    // The same turn before a newer user message is history, which the encoder accepts.
    const history = [user, { role: "assistant", content: "text only" }, { role: "user", content: "more" }];
    expect(validateChatRequest({ messages: history, chat_template_kwargs: { thinking: true } }, options).ok).toBe(true);
  });

  it("refuses a final assistant message (prefill)", () => {
    expect(refusal({ messages: [user, { role: "assistant", content: "Sure, " }] })).toContain(
      "continuing a final assistant message (prefill) is not supported",
    );
  });

  it("reads reasoning from the configured field and records the ignored one", () => {
    const messages = [
      user,
      { role: "assistant", content: null, reasoning_content: "old field", tool_calls: [call("c1")] },
      { role: "tool", tool_call_id: "c1", content: "x" },
    ];
    const current = validateChatRequest({ messages }, options);
    expect(current.ok && current.request.messages[1]?.reasoning).toBeUndefined();
    expect(current.ok && current.request.reasoningNotes).toEqual([
      { messageIndex: 1, used: null, ignored: "old field" },
    ]);
    const older = validateChatRequest({ messages }, { ...options, reasoningField: "reasoning_content" });
    expect(older.ok && older.request.messages[1]?.reasoning).toBe("old field");
  });

  it("checks tools and tool_choice like vLLM", () => {
    expect(refusal({ messages: [user], tools: [] })).toContain("`tools` must not be an empty array");
    expect(refusal({ messages: [user], tool_choice: "auto" })).toBe("When using `tool_choice`, `tools` must be set.");
    expect(
      refusal({ messages: [user], tools: [readTool], tool_choice: { type: "function", function: { name: "Write" } } }),
    ).toBe("Tool 'Write' has not been passed in `tools`.");
    expect(refusal({ messages: [user], stream_options: { include_usage: true } })).toBe(
      "Stream options can only be defined when `stream=True`.",
    );
    expect(refusal({ messages: [user], max_tokens: 0 })).toBe("max_tokens must be at least 1, got 0.");
  });

  it("answers a malformed body with a pydantic-style error", () => {
    const result = validateChatRequest({ model: "umans-coder" }, options);
    expect(result).toMatchObject({
      ok: false,
      error: { status: 400, body: { error: { type: "Bad Request", param: "body.messages", code: 400 } } },
    });
  });
});
