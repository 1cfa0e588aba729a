import type { AnthropicErrorType } from "./anthropic.ts";

/** An error as the gateway answers it: Anthropic status, `error.type` and message. */
export interface AnthropicFailure {
  status: 400 | 404 | 413 | 500 | 504 | 529;
  type: AnthropicErrorType;
  message: string;
}

/** The numbers of a context-window overflow, when vLLM's message gives them. */
export interface ContextOverflow {
  promptTokens: number;
  maxModelLen: number;
  /** The `max_tokens` that did not fit, when the prompt alone fits. */
  maxTokens?: number;
}

export interface UpstreamErrorMapping {
  failure: AnthropicFailure;
  overflow?: ContextOverflow;
}

/** The message of a vLLM error body: `{"error":{"message"}}` (current), `{"message"}` (older), FastAPI `{"detail"}`. */
export function upstreamErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown }; message?: unknown; detail?: unknown };
    const message = parsed.error?.message ?? parsed.message ?? parsed.detail;
    if (typeof message === "string") return message;
    if (message !== undefined) return JSON.stringify(message);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 500) || "no error message";
}

function firstNumber(text: string, patterns: RegExp[]): number | undefined {
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

/**
 * Reads the prompt size, the context window and the requested output from the several wordings vLLM has
 * used for an overflow (protocol reference ERR-10/11): "maximum context length is L tokens. However, you
 * requested T tokens (P in the messages, M in the completion)", "… you requested M output tokens and your
 * prompt contains at least P input tokens …", "… your request has P input tokens (M > L - P)", "The input
 * (P tokens) is longer than the model's context length (L tokens)". Undefined when it is not an overflow.
 */
export function parseContextOverflow(message: string): ContextOverflow | undefined {
  const maxModelLen = firstNumber(message, [/maximum context length is (\d+)/i, /context length \((\d+) tokens\)/i]);
  const promptTokens = firstNumber(message, [
    /(\d+) in the messages/i,
    /prompt contains at least (\d+)/i,
    /request has (\d+) input tokens/i,
    /input \((\d+) tokens\)/i,
    /prompt contains (\d+)/i,
  ]);
  if (maxModelLen === undefined || promptTokens === undefined) return undefined;
  const maxTokens = firstNumber(message, [
    /(\d+) in the completion/i,
    /requested (\d+) output tokens/i,
    /too large: (\d+)/i,
  ]);
  return { promptTokens, maxModelLen, ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

/**
 * Anthropic's wording for an overflow, which Claude Code matches to compact the conversation or lower
 * `max_tokens` (CC-38, CC-39); gateway-worded errors would not trigger either.
 */
export function overflowMessage(overflow: ContextOverflow): string {
  if (overflow.maxTokens === undefined || overflow.promptTokens >= overflow.maxModelLen) {
    return `prompt is too long: ${overflow.promptTokens} tokens > ${overflow.maxModelLen} maximum`;
  }
  return (
    `input length and \`max_tokens\` exceed context limit: ${overflow.promptTokens} + ${overflow.maxTokens} > ` +
    `${overflow.maxModelLen}, decrease input length or \`max_tokens\` and try again`
  );
}

/**
 * An error status and body from vLLM as the Anthropic error the client gets (ERR-10…ERR-15). The
 * client's request is at fault only for validation errors; a refusal of the gateway's own credentials is a
 * gateway fault (500), and an unavailable engine is capacity (529), which clients retry.
 */
export function mapUpstreamError(status: number, body: string): UpstreamErrorMapping {
  const message = upstreamErrorMessage(body);
  if (status === 400 || status === 422) {
    const overflow = parseContextOverflow(message);
    if (overflow)
      return { failure: { status: 400, type: "invalid_request_error", message: overflowMessage(overflow) }, overflow };
    if (/context (length|window)/i.test(message)) {
      return { failure: { status: 400, type: "invalid_request_error", message: `prompt is too long: ${message}` } };
    }
    return {
      failure: { status: 400, type: "invalid_request_error", message: `upstream rejected the request: ${message}` },
    };
  }
  if (status === 404) return { failure: { status: 404, type: "not_found_error", message: `upstream: ${message}` } };
  if (status === 413) return { failure: { status: 413, type: "request_too_large", message: `upstream: ${message}` } };
  if (status === 401 || status === 403) {
    return {
      failure: { status: 500, type: "api_error", message: "the model server refused the gateway's credentials" },
    };
  }
  if (status === 504)
    return { failure: { status: 504, type: "timeout_error", message: `upstream timed out: ${message}` } };
  if (status === 429 || status === 502 || status === 503) {
    return { failure: { status: 529, type: "overloaded_error", message: `model server overloaded: ${message}` } };
  }
  return { failure: { status: 500, type: "api_error", message: `model server error (${status}): ${message}` } };
}

/** A request that never got an answer: no connection (capacity, 529) or no answer in time (504). */
export function mapUpstreamFailure(kind: "unavailable" | "timeout", detail: string): AnthropicFailure {
  return kind === "timeout"
    ? { status: 504, type: "timeout_error", message: `model server did not answer in time: ${detail}` }
    : { status: 529, type: "overloaded_error", message: `model server unavailable: ${detail}` };
}
