import type http from "node:http";
import { sendJson } from "@perimeter/runtime";
import { openAIErrorShape, sendOpenAIError } from "../http/openai-error.ts";
import { neverStarted, SseResponse } from "../http/sse-response.ts";
import { mapUpstreamFailure } from "../protocol/map-upstream-error.ts";
import type { ChatCompletion } from "../protocol/openai.ts";
import type { ResponsesStreamEvent } from "../protocol/responses.ts";
import { ResponsesStreamTranslator } from "../protocol/responses-stream-translator.ts";
import { SseDecoder } from "../protocol/sse-decoder.ts";
import { type ResponsesContext, translateCompletionToResponse } from "../protocol/translate-responses-response.ts";
import { classifyUpstreamFailure, type UpstreamReply } from "../upstream.ts";
import { readUpstreamJson } from "./read-upstream-json.ts";
import { meteredOutcome, type RequestOutcome } from "./request-outcome.ts";

/** A streamed event as an SSE frame: `event: <type>` and `data: <json>`, as the Responses API writes them. */
function encode(events: ResponsesStreamEvent[]): string {
  let text = "";
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
}

/** Answers a non-streamed `/v1/responses` with the Response object translated from vLLM's completion. */
export async function respondResponseJson(
  res: http.ServerResponse,
  reply: UpstreamReply,
  ctx: ResponsesContext,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const read = await readUpstreamJson<ChatCompletion>(reply, signal);
  if (!read.ok) {
    if (read.aborted) return { status: 499, clientAbort: true };
    const status = sendOpenAIError(res, { errorClass: "api_error", message: read.message });
    return { status, errorType: "api_error", errorMessage: read.message };
  }
  const completion = read.value;
  const translated = translateCompletionToResponse(completion, ctx);
  if (!translated.ok) {
    const status = sendOpenAIError(res, { errorClass: "api_error", message: translated.message });
    return { status, errorType: "api_error", errorMessage: translated.message };
  }
  sendJson(res, 200, translated.response);
  const hasToolCalls = translated.response.output.some((item) => item.type === "function_call");
  return { status: 200, ...meteredOutcome(completion.usage, translated.finishReason, hasToolCalls) };
}

/**
 * Streams a `/v1/responses` answer as the Responses API's events (`ResponsesStreamTranslator`), chunk by
 * chunk, with SSE comments as keep-alives. A failure before anything was sent is a JSON error the client
 * retries; after, `response.failed`. vLLM is always asked for usage, so metering is exact even when the
 * client leaves.
 */
export async function respondResponsesStream(
  res: http.ServerResponse,
  reply: UpstreamReply,
  ctx: ResponsesContext,
  options: { keepAliveMs: number; arrivedAt: number; signal: AbortSignal },
): Promise<RequestOutcome> {
  const translator = new ResponsesStreamTranslator(ctx);
  const sse = new SseResponse(res, { keepAliveMs: options.keepAliveMs, progress: neverStarted });
  const decoder = new SseDecoder();
  const utf8 = new TextDecoder();
  let firstTokenAt: number | undefined;
  let answeredWithError: number | undefined;

  const outcome = (extra: Partial<RequestOutcome> = {}): RequestOutcome => {
    const summary = translator.summary;
    const error = summary.error;
    return {
      status: answeredWithError ?? 200,
      ...meteredOutcome(summary.usage, summary.finishReason, summary.hasToolCalls),
      ...(error ? { errorType: "api_error" as const, errorMessage: error.message } : {}),
      ...(firstTokenAt !== undefined ? { timeToFirstTokenMs: Math.round(firstTokenAt - options.arrivedAt) } : {}),
      ...extra,
    };
  };
  const deliver = async (events: ResponsesStreamEvent[]): Promise<void> => {
    const error = translator.summary.error;
    // Nothing but the failure itself: the client still gets a plain JSON error, which it retries.
    if (error && !sse.committed && events.every((event) => event.type !== "response.output_item.added")) {
      sse.dispose();
      answeredWithError = sendOpenAIError(res, { errorClass: "api_error", message: error.message });
      return;
    }
    if (firstTokenAt === undefined && events.some((event) => event.type.endsWith(".delta"))) {
      firstTokenAt = performance.now();
    }
    await sse.sendText(encode(events));
  };

  try {
    for await (const chunk of reply.body) {
      if (translator.finished) continue; // the rest of the body is drained, not destroyed
      const events: ResponsesStreamEvent[] = [];
      for (const data of decoder.push(utf8.decode(chunk, { stream: true }))) events.push(...translator.pushData(data));
      if (events.length > 0) await deliver(events);
      if (translator.summary.error) break;
      if (translator.finished) sse.end();
    }
    if (!translator.finished) {
      const events: ResponsesStreamEvent[] = [];
      for (const data of decoder.flush()) events.push(...translator.pushData(data));
      events.push(...translator.end());
      await deliver(events);
    }
  } catch (error) {
    if (options.signal.aborted) {
      sse.dispose();
      return outcome({ status: 499, clientAbort: true });
    }
    const kind = classifyUpstreamFailure(error, options.signal) === "timeout" ? "timeout" : "unavailable";
    const failure = mapUpstreamFailure(kind, (error as Error).message);
    const code = openAIErrorShape({ errorClass: failure.type }).code ?? "server_error";
    await deliver(translator.fail({ code, message: failure.message }));
    if (answeredWithError === undefined) sse.end();
    return outcome({ errorType: failure.type, errorMessage: failure.message });
  }
  if (answeredWithError === undefined) sse.end();
  return outcome();
}
