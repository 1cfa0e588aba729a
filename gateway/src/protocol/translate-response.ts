import type { AnthropicMessage, ResponseContentBlock } from "./anthropic.ts";
import { toolUseId } from "./anthropic-ids.ts";
import { mapStopReason } from "./map-stop-reason.ts";
import { mapUsage } from "./map-usage.ts";
import type { ChatCompletion } from "./openai.ts";
import { thinkingSignature } from "./thinking-signature.ts";
import { parseToolInput } from "./tool-input.ts";

/** What the answer needs from the request it answers. */
export interface ResponseContext {
  /** `msg_…`, minted by the caller. */
  messageId: string;
  /** The model name as the client sent it; Anthropic answers with the model it was asked for. */
  model: string;
  stopSequences?: readonly string[];
}

export type TranslateCompletionResult = { ok: true; message: AnthropicMessage } | { ok: false; message: string };

/**
 * A non-streamed vLLM chat completion as an Anthropic `Message` (protocol reference §2.2, §3.5–3.7):
 * reasoning (`reasoning`, or `reasoning_content` from older vLLM) becomes a signed thinking block, then the
 * text, then one `tool_use` block per call with its arguments parsed (`parseToolInput`). An answer without
 * a choice, or one vLLM ended with `abort`/`error`, is a failure the caller reports as an upstream error.
 */
export function translateCompletion(completion: ChatCompletion, ctx: ResponseContext): TranslateCompletionResult {
  const choice = completion.choices?.[0];
  if (!choice) return { ok: false, message: "upstream answered without a choice" };
  if (choice.finish_reason === "abort" || choice.finish_reason === "error") {
    return { ok: false, message: `upstream ended the generation with \`${choice.finish_reason}\`` };
  }
  const message = choice.message ?? {};
  const content: ResponseContentBlock[] = [];
  const reasoning = message.reasoning ?? message.reasoning_content;
  if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: thinkingSignature(reasoning) });
  if (message.content) content.push({ type: "text", text: message.content });
  for (const [position, call] of (message.tool_calls ?? []).entries()) {
    content.push({
      type: "tool_use",
      id: toolUseId(call.id, ctx.messageId, position),
      name: call.function?.name ?? "",
      input: parseToolInput(call.function?.arguments ?? ""),
    });
  }
  const stop = mapStopReason({
    finishReason: choice.finish_reason,
    stopReason: choice.stop_reason,
    stopSequences: ctx.stopSequences,
    hasToolUse: content.some((block) => block.type === "tool_use"),
  });
  return {
    ok: true,
    message: {
      id: ctx.messageId,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content,
      ...stop,
      usage: mapUsage(completion.usage),
    },
  };
}
