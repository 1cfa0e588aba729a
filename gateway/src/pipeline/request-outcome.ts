import type { AnthropicErrorType, StopReason, Usage } from "../protocol/anthropic.ts";

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
