import type http from "node:http";
import { sendJson } from "@perimeter/runtime";
import { sendOpenAIError } from "../http/openai-error.ts";
import { neverStarted, SseResponse } from "../http/sse-response.ts";
import { ChatChunkRelay, type ChatCompletionsRequest, rewriteCompletionModel } from "../protocol/chat-completions.ts";
import { mapUpstreamFailure } from "../protocol/map-upstream-error.ts";
import type { ChatCompletion } from "../protocol/openai.ts";
import { SseDecoder } from "../protocol/sse-decoder.ts";
import { classifyUpstreamFailure, type UpstreamReply } from "../upstream.ts";
import { readUpstreamJson } from "./read-upstream-json.ts";
import { meteredOutcome, type RequestOutcome } from "./request-outcome.ts";

/**
 * Answers a non-streamed chat completion with vLLM's own, its `model` the name the client asked for. An
 * answer that is not JSON is a 500 `server_error`.
 */
export async function relayChatCompletionJson(
  res: http.ServerResponse,
  reply: UpstreamReply,
  model: string,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const read = await readUpstreamJson<ChatCompletion & { model?: string }>(reply, signal);
  if (!read.ok) {
    if (read.aborted) return { status: 499, clientAbort: true };
    const status = sendOpenAIError(res, { errorClass: "api_error", message: read.message });
    return { status, errorType: "api_error", errorMessage: read.message };
  }
  const completion = read.value;
  sendJson(res, 200, rewriteCompletionModel(completion, model));
  const choice = completion.choices?.[0];
  return {
    status: 200,
    ...meteredOutcome(completion.usage, choice?.finish_reason, (choice?.message?.tool_calls?.length ?? 0) > 0),
  };
}

/**
 * Relays vLLM's stream to the client chunk by chunk (`ChatChunkRelay`: model renamed, usage chunks only
 * as asked), with SSE comments as keep-alives during silence. vLLM is always asked for usage, so the
 * outcome carries the real counts even when the client left. A failure before anything was sent is a JSON
 * error; after, an in-stream `{"error": …}` chunk, as vLLM itself sends.
 */
export async function relayChatCompletionStream(
  res: http.ServerResponse,
  reply: UpstreamReply,
  request: ChatCompletionsRequest,
  options: { keepAliveMs: number; arrivedAt: number; signal: AbortSignal },
): Promise<RequestOutcome> {
  const relay = new ChatChunkRelay(request.model, request);
  const sse = new SseResponse(res, { keepAliveMs: options.keepAliveMs, progress: neverStarted });
  const decoder = new SseDecoder();
  const utf8 = new TextDecoder();
  let firstTokenAt: number | undefined;
  const summary = relay.summary;
  const outcome = (status: number, extra: Partial<RequestOutcome> = {}): RequestOutcome => ({
    status,
    ...meteredOutcome(summary.usage, summary.finishReason, summary.hasToolCalls),
    ...(firstTokenAt !== undefined ? { timeToFirstTokenMs: Math.round(firstTokenAt - options.arrivedAt) } : {}),
    ...extra,
  });
  const forward = async (payloads: string[]): Promise<boolean> => {
    let text = "";
    for (const data of payloads) {
      const out = relay.relay(data);
      // An error before anything reached the client is still a plain JSON error, which clients retry.
      if (summary.error && !sse.committed && text === "") return false;
      if (out !== undefined) text += `data: ${out}\n\n`;
    }
    if (firstTokenAt === undefined && summary.contentSeen) firstTokenAt = performance.now();
    await sse.sendText(text);
    return true;
  };
  const failEarly = (message: string): RequestOutcome => {
    sse.dispose();
    const status = sendOpenAIError(res, { errorClass: "api_error", message });
    return outcome(status, { errorType: "api_error", errorMessage: message });
  };

  try {
    for await (const chunk of reply.body) {
      if (summary.done) continue; // the rest of the body is drained, not destroyed
      if (!(await forward(decoder.push(utf8.decode(chunk, { stream: true }))))) {
        return failEarly(`model server error: ${summary.error}`);
      }
      if (summary.error) break;
      if (summary.done) sse.end();
    }
    if (!summary.done && !summary.error) {
      if (!(await forward(decoder.flush()))) return failEarly(`model server error: ${summary.error}`);
    }
  } catch (error) {
    if (options.signal.aborted) {
      sse.dispose();
      return outcome(499, { clientAbort: true });
    }
    const kind = classifyUpstreamFailure(error, options.signal) === "timeout" ? "timeout" : "unavailable";
    const failure = mapUpstreamFailure(kind, (error as Error).message);
    if (!sse.committed) {
      sse.dispose();
      const status = sendOpenAIError(res, { errorClass: failure.type, message: failure.message });
      return outcome(status, { errorType: failure.type, errorMessage: failure.message });
    }
    await sse.sendText(
      `data: ${JSON.stringify({ error: { message: failure.message, type: "server_error", code: null } })}\n\n`,
    );
    sse.end();
    return outcome(200, { errorType: failure.type, errorMessage: failure.message });
  }
  sse.end();
  if (summary.error) return outcome(200, { errorType: "api_error", errorMessage: summary.error });
  if (!summary.done && summary.finishReason === null) {
    return outcome(200, { errorType: "api_error", errorMessage: "the model server's stream ended early" });
  }
  return outcome(200);
}
