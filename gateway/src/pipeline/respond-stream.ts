import type http from "node:http";
import { type AnthropicErrorStatus, sendAnthropicError } from "../http/anthropic-error.ts";
import { SseResponse } from "../http/sse-response.ts";
import type { AnthropicErrorType, StreamEvent } from "../protocol/anthropic.ts";
import { mapUpstreamFailure } from "../protocol/map-upstream-error.ts";
import { SseDecoder } from "../protocol/sse-decoder.ts";
import { StreamTranslator } from "../protocol/stream-translator.ts";
import type { ResponseContext } from "../protocol/translate-response.ts";
import { classifyUpstreamFailure, type UpstreamReply } from "../upstream.ts";
import type { RequestOutcome } from "./request-outcome.ts";

const statusOfError: Record<AnthropicErrorType, AnthropicErrorStatus> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export interface StreamOptions {
  keepAliveMs: number;
  /** `performance.now()` when the request arrived, for the time to first token. */
  arrivedAt: number;
  /** Aborted when the client goes away; the upstream body is then dropped at once. */
  signal: AbortSignal;
}

/**
 * Streams vLLM's answer to the client as Anthropic SSE, chunk by chunk with nothing buffered, through
 * `StreamTranslator`. A failure before anything was streamed is answered as a JSON error the client
 * retries (T-19); after that, as the translator's `error` event, and the body is closed (T-25, CC-33).
 */
export async function respondStream(
  res: http.ServerResponse,
  reply: UpstreamReply,
  ctx: ResponseContext & { requestId: string },
  options: StreamOptions,
): Promise<RequestOutcome> {
  const translator = new StreamTranslator(ctx);
  const delivery = new Delivery(
    res,
    translator,
    new SseResponse(res, { keepAliveMs: options.keepAliveMs, progress: translator }),
    ctx.requestId,
  );
  const decoder = new SseDecoder();
  const utf8 = new TextDecoder();

  let streamed = true;
  try {
    for await (const chunk of reply.body) {
      // After a complete answer the rest of the body (vLLM's `[DONE]`, its end) is read and dropped:
      // leaving the loop would destroy it with an AbortError, whose stack trace costs more than the read.
      if (translator.finished) continue;
      const events: StreamEvent[] = [];
      for (const data of decoder.push(utf8.decode(chunk, { stream: true }))) events.push(...translator.pushData(data));
      if (events.length > 0) streamed = await delivery.send(events);
      if (!translator.finished) continue;
      // A failed stream stops the upstream generating; a complete one is answered in full at once.
      if (translator.summary?.error) break;
      if (streamed) delivery.sse.end();
    }
    if (!translator.finished) {
      const events: StreamEvent[] = [];
      for (const data of decoder.flush()) events.push(...translator.pushData(data));
      events.push(...translator.end());
      streamed = await delivery.send(events);
    }
  } catch (error) {
    if (options.signal.aborted) {
      delivery.sse.dispose();
      return { status: 499, clientAbort: true, ...usageSoFar(translator) };
    }
    // The upstream connection broke or went silent past the timeout in the middle of the answer.
    const kind = classifyUpstreamFailure(error, options.signal) === "timeout" ? "timeout" : "unavailable";
    const failure = mapUpstreamFailure(kind, (error as Error).message);
    streamed = await delivery.send(translator.fail({ type: failure.type, message: failure.message }));
  }
  if (streamed) delivery.sse.end();
  const summary = translator.summary;
  const error = summary?.error;
  const { firstTokenAt } = delivery;
  return {
    status: streamed ? 200 : statusOfError[error?.type ?? "api_error"],
    ...(error ? { errorType: error.type, errorMessage: error.message } : {}),
    ...usageSoFar(translator),
    ...(firstTokenAt !== undefined ? { timeToFirstTokenMs: Math.round(firstTokenAt - options.arrivedAt) } : {}),
  };
}

/**
 * Where a stream's events go: the SSE answer, or — when the stream failed before it started — a plain JSON
 * error. (A class, not a closure: under tsx every named closure made per request costs a property definition.)
 */
class Delivery {
  /** `performance.now()` when the first content delta went out. */
  firstTokenAt: number | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly translator: StreamTranslator,
    readonly sse: SseResponse,
    private readonly requestId: string,
  ) {}

  /** Sends `events`; false when the stream failed before it started and was answered as a JSON error. */
  async send(events: StreamEvent[]): Promise<boolean> {
    const error = this.translator.summary?.error;
    if (error && !this.translator.started && !this.sse.committed) {
      this.sse.dispose();
      sendAnthropicError(this.res, statusOfError[error.type], error.message, this.requestId);
      return false;
    }
    if (this.firstTokenAt === undefined && events.some((event) => event.type === "content_block_delta")) {
      this.firstTokenAt = performance.now();
    }
    await this.sse.send(events);
    return true;
  }
}

function usageSoFar(translator: StreamTranslator): Pick<RequestOutcome, "usage" | "reasoningTokens" | "stopReason"> {
  const summary = translator.summary;
  return summary
    ? { usage: summary.usage, reasoningTokens: summary.reasoningTokens, stopReason: summary.stopReason }
    : {};
}
