import type { StopReason } from "./anthropic.ts";

export interface UpstreamFinish {
  /** OpenAI `finish_reason`: `stop`, `length`, `tool_calls`; null when the upstream never said. */
  finishReason: string | null | undefined;
  /** vLLM's `stop_reason`: the stop string or token id that ended generation, or null. */
  stopReason: string | number | null | undefined;
  /** The request's `stop_sequences`. */
  stopSequences: readonly string[] | undefined;
  /** Whether the answer holds a `tool_use` block. */
  hasToolUse: boolean;
}

/**
 * Anthropic's `stop_reason` / `stop_sequence` for an upstream finish (XL-61, XL-62). `length` is
 * `max_tokens` even after a tool block, as with Anthropic: a call cut short must not run. Otherwise a
 * `tool_use` block always means `tool_use`, because vLLM says `stop` for a named `tool_choice` and Claude
 * Code only runs tools on `tool_use`; a `stop` on one of the request's stop strings is `stop_sequence`;
 * everything else ends the turn.
 */
export function mapStopReason(finish: UpstreamFinish): { stop_reason: StopReason; stop_sequence: string | null } {
  if (finish.finishReason === "length") return { stop_reason: "max_tokens", stop_sequence: null };
  if (finish.hasToolUse) return { stop_reason: "tool_use", stop_sequence: null };
  const matched = finish.stopReason;
  if (finish.finishReason === "stop" && typeof matched === "string" && finish.stopSequences?.includes(matched)) {
    return { stop_reason: "stop_sequence", stop_sequence: matched };
  }
  return { stop_reason: "end_turn", stop_sequence: null };
}
