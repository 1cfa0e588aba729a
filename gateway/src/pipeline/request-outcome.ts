import type { AnthropicErrorType, StopReason, Usage } from "../protocol/anthropic.ts";

/** How one request ended, for the access log and the metrics (and, later, the usage stream). */
export interface RequestOutcome {
  status: number;
  errorType?: AnthropicErrorType;
  errorMessage?: string;
  /** The public name of the model that served it. */
  model?: string;
  stream?: boolean;
  usage?: Usage;
  stopReason?: StopReason | null;
  /** Milliseconds from the request's arrival to the first content event. */
  timeToFirstTokenMs?: number;
  /** The client went away before the answer was complete. */
  clientAbort?: boolean;
  keyId?: string;
  teamId?: string;
}
