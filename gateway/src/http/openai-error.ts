import type http from "node:http";
import type { AnthropicErrorType } from "../protocol/anthropic.ts";
import { anthropicErrorTypes } from "./anthropic-error.ts";

/**
 * The gateway's error classes (named as Anthropic's error types, which the stages return and usage events
 * record) → OpenAI's status, `error.type` and `error.code` (platform.openai.com/docs/guides/error-codes):
 * the one table the OpenAI-API routes shape errors by. OpenAI has no 402 or 529: a spent budget is its quota
 * error, a 429 `insufficient_quota`, which clients do not retry; an overloaded model server is a 503.
 */
const openAIErrors = {
  invalid_request_error: { status: 400, type: "invalid_request_error", code: null },
  authentication_error: { status: 401, type: "invalid_request_error", code: "invalid_api_key" },
  billing_error: { status: 429, type: "insufficient_quota", code: "insufficient_quota" },
  permission_error: { status: 403, type: "invalid_request_error", code: "permission_denied" },
  not_found_error: { status: 404, type: "invalid_request_error", code: null },
  conflict_error: { status: 409, type: "invalid_request_error", code: null },
  request_too_large: { status: 413, type: "invalid_request_error", code: "request_too_large" },
  rate_limit_error: { status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
  api_error: { status: 500, type: "server_error", code: "server_error" },
  timeout_error: { status: 504, type: "server_error", code: "timeout" },
  overloaded_error: { status: 503, type: "server_error", code: "server_overloaded" },
} as const satisfies Record<AnthropicErrorType, { status: number; type: string; code: string | null }>;

export interface OpenAIError {
  /** The gateway's error class; decides status, type and default code. */
  errorClass: AnthropicErrorType;
  message: string;
  param?: string | null;
  /** Overrides the table's code (`model_not_found`, `context_length_exceeded`). */
  code?: string | null;
}

/** The error class of a status from a shared stage (`authenticate`, the router, the body reader). */
export function errorClassOfStatus(status: number): AnthropicErrorType {
  return (anthropicErrorTypes as Record<number, AnthropicErrorType>)[status] ?? "api_error";
}

/** OpenAI's status, type and code for an error class (`code` overridden when given). */
export function openAIErrorShape(error: Pick<OpenAIError, "errorClass" | "code">): {
  status: number;
  type: string;
  code: string | null;
} {
  const shape = openAIErrors[error.errorClass];
  return { status: shape.status, type: shape.type, code: error.code !== undefined ? error.code : shape.code };
}

/** The code OpenAI uses for a context-window overflow, which Codex CLI reacts to by compacting. */
export function overflowCode(message: string): string | undefined {
  return /^prompt is too long|exceed context limit|maximum context length/.test(message)
    ? "context_length_exceeded"
    : undefined;
}

/**
 * Answers with OpenAI's error envelope `{"error":{"message","type","param","code"}}` and its status, plus
 * `x-should-retry` (which the `openai` SDK honours like Anthropic's do): yes for capacity, timeouts, server
 * faults and throttles, no for quota and the client's own mistakes; `headers` add to or override it.
 * Returns the status sent.
 */
export function sendOpenAIError(
  res: http.ServerResponse,
  error: OpenAIError,
  headers: Record<string, string> = {},
): number {
  const shape = openAIErrorShape(error);
  const payload = JSON.stringify({
    error: { message: error.message, type: shape.type, param: error.param ?? null, code: shape.code },
  });
  const retry = shape.status >= 500 || error.errorClass === "rate_limit_error";
  res.writeHead(shape.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    "x-should-retry": retry ? "true" : "false",
    ...headers,
  });
  res.end(payload);
  return shape.status;
}
