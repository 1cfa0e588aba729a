import type { AnthropicErrorType, StopReason, Usage } from "../protocol/anthropic.ts";
import { mapStopReason } from "../protocol/map-stop-reason.ts";
import { mapUsage } from "../protocol/map-usage.ts";
import type { ChatUsage } from "../protocol/openai.ts";

/** How one request ended, for the access log, the metrics, settlement and the usage stream. */
export interface RequestOutcome {
  status: number;
  errorType?: AnthropicErrorType;
  errorMessage?: string;
  stream?: boolean;
  usage?: Usage;
  /** Part of `usage.output_tokens` that was reasoning, when vLLM says. */
  reasoningTokens?: number;
  stopReason?: StopReason | null;
  /** Milliseconds from the request's arrival to the first content event. */
  timeToFirstTokenMs?: number;
  /** The client went away before the answer was complete. */
  clientAbort?: boolean;
}

/** The metering half of an OpenAI-API route's outcome, from vLLM's usage and finish reason. */
export function meteredOutcome(
  usage: ChatUsage | null | undefined,
  finishReason: string | null | undefined,
  hasToolCalls: boolean,
): Pick<RequestOutcome, "usage" | "reasoningTokens" | "stopReason"> {
  if (!usage) return {};
  const { stop_reason } = mapStopReason({
    finishReason,
    stopReason: null,
    stopSequences: undefined,
    hasToolUse: hasToolCalls,
  });
  return {
    usage: mapUsage(usage),
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    ...(finishReason ? { stopReason: stop_reason } : {}),
  };
}
