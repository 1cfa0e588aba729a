import type http from "node:http";
import { sendJson } from "@perimeter/runtime";
import { sendAnthropicError } from "../http/anthropic-error.ts";
import type { AnthropicMessage } from "../protocol/anthropic.ts";
import type { ChatCompletion } from "../protocol/openai.ts";
import { type ResponseContext, translateCompletion } from "../protocol/translate-response.ts";
import type { UpstreamReply } from "../upstream.ts";
import { readUpstreamJson } from "./read-upstream-json.ts";
import type { RequestOutcome } from "./request-outcome.ts";

export type ReadCompletionResult =
  | { ok: true; message: AnthropicMessage; reasoningTokens: number }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; message: string };

/** Reads vLLM's non-streamed completion and translates it to an Anthropic `Message`. */
export async function readCompletion(
  reply: UpstreamReply,
  ctx: ResponseContext,
  signal: AbortSignal,
): Promise<ReadCompletionResult> {
  const read = await readUpstreamJson<ChatCompletion>(reply, signal);
  if (!read.ok) return read;
  const completion = read.value;
  const translated = translateCompletion(completion, ctx);
  if (!translated.ok) return { ok: false, aborted: false, message: translated.message };
  const reasoningTokens = completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
  return { ok: true, message: translated.message, reasoningTokens };
}

/**
 * Answers a non-streamed request (Claude Code's retry path, CC-02) with the `Message` translated from
 * vLLM's completion. An upstream answer that is not a completion is a 500 `api_error`, never an empty or
 * foreign 200 (which Claude Code reports as a malformed response).
 */
export async function respondJson(
  res: http.ServerResponse,
  reply: UpstreamReply,
  ctx: ResponseContext & { requestId: string },
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const read = await readCompletion(reply, ctx, signal);
  if (!read.ok) {
    if (read.aborted) return { status: 499, clientAbort: true };
    sendAnthropicError(res, 500, read.message, ctx.requestId);
    return { status: 500, errorType: "api_error", errorMessage: read.message };
  }
  sendJson(res, 200, read.message);
  return {
    status: 200,
    usage: read.message.usage,
    reasoningTokens: read.reasoningTokens,
    stopReason: read.message.stop_reason,
  };
}
