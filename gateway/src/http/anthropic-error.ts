import type http from "node:http";
import type { AnthropicErrorType } from "../protocol/anthropic.ts";

/**
 * HTTP status → Anthropic `error.type`, the one table the gateway uses to shape errors the way
 * Claude Code and the Anthropic SDKs expect them (protocol reference §2.4, api/errors).
 */
export const anthropicErrorTypes = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
} as const satisfies Record<number, AnthropicErrorType>;

export type AnthropicErrorStatus = keyof typeof anthropicErrorTypes;

/** Anthropic's error type for a status of the table above. */
export function anthropicErrorType(status: AnthropicErrorStatus): AnthropicErrorType {
  return anthropicErrorTypes[status];
}

/** Anthropic's error envelope, as the SDKs parse it. */
interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id: string;
}

/**
 * Answers with `status` and Anthropic's error envelope, its `error.type` taken from the table above
 * unless `type` says otherwise (a budget's 429 is a `billing_error`). `x-should-retry` tells Claude Code and
 * the SDKs whether to retry (CC-32): yes for capacity, timeouts and server faults, no for the client's own
 * mistakes; `headers` add to or override it (e.g. `retry-after`, rate-limit headers).
 */
export function sendAnthropicError(
  res: http.ServerResponse,
  status: AnthropicErrorStatus,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
  type: AnthropicErrorType = anthropicErrorTypes[status],
): void {
  const body: AnthropicErrorBody = {
    type: "error",
    error: { type, message },
    request_id: requestId,
  };
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    "x-should-retry": status >= 500 ? "true" : "false",
    ...headers,
  });
  res.end(payload);
}
