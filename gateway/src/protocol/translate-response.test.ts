import { describe, expect, it } from "vitest";
import { thinkingSignature } from "./thinking-signature.ts";
import { translateCompletion } from "./translate-response.ts";

const ctx = { messageId: "msg_1", model: "claude-opus-4-8", stopSequences: ["END"] };

describe("translateCompletion (T-18)", () => {
  it("builds thinking, text and tool_use blocks with usage", () => {
    const result = translateCompletion(
      {
        choices: [
          {
            message: {
              role: "assistant",
              content: "Reading it.",
              reasoning: "Need the file.",
              tool_calls: [
                { id: "call_1", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } },
                { type: "function", function: { name: "Bash", arguments: "" } },
              ],
            },
            finish_reason: "tool_calls",
            stop_reason: null,
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 } },
      },
      ctx,
    );
    expect(result).toEqual({
      ok: true,
      message: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-opus-4-8",
        content: [
          { type: "thinking", thinking: "Need the file.", signature: thinkingSignature("Need the file.") },
          { type: "text", text: "Reading it." },
          { type: "tool_use", id: "call_1", name: "Read", input: { file_path: "/a" } },
          { type: "tool_use", id: expect.stringMatching(/^toolu_[0-9a-f]{24}$/), name: "Bash", input: {} },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 36, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 20 },
      },
    });
  });

  it("reads reasoning_content from older vLLM and maps every stop (T-15, T-16, T-17)", () => {
    const stop = (finish_reason: string, stop_reason: string | number | null, tools = false) => {
      const result = translateCompletion(
        {
          choices: [
            {
              message: {
                content: "x",
                reasoning_content: "r",
                ...(tools ? { tool_calls: [{ id: "c", function: { name: "T", arguments: "{}" } }] } : {}),
              },
              finish_reason,
              stop_reason,
            },
          ],
        },
        ctx,
      );
      if (!result.ok) throw new Error(result.message);
      return [result.message.stop_reason, result.message.stop_sequence, result.message.content[0]?.type];
    };
    expect(stop("stop", null)).toEqual(["end_turn", null, "thinking"]);
    expect(stop("stop", "END")).toEqual(["stop_sequence", "END", "thinking"]);
    expect(stop("stop", 1)).toEqual(["end_turn", null, "thinking"]);
    expect(stop("stop", "OTHER")).toEqual(["end_turn", null, "thinking"]);
    expect(stop("length", null)).toEqual(["max_tokens", null, "thinking"]);
    expect(stop("stop", null, true)).toEqual(["tool_use", null, "thinking"]);
    expect(stop("length", null, true)).toEqual(["max_tokens", null, "thinking"]);
  });

  it("treats a missing choice or an aborted generation as an upstream failure", () => {
    expect(translateCompletion({ choices: [] }, ctx)).toEqual({
      ok: false,
      message: "upstream answered without a choice",
    });
    expect(translateCompletion({ choices: [{ message: {}, finish_reason: "abort" }] }, ctx)).toMatchObject({
      ok: false,
    });
  });

  it("reports a prompt without cache details as all input", () => {
    const result = translateCompletion(
      { choices: [{ message: { content: "" }, finish_reason: "stop" }], usage: { prompt_tokens: 7 } },
      ctx,
    );
    expect(result.ok && result.message).toMatchObject({
      content: [],
      usage: { input_tokens: 7, cache_read_input_tokens: 0, output_tokens: 0 },
    });
  });
});
