import type http from "node:http";
import { sendJson } from "@perimeter/runtime";

/**
 * HTTP status → Anthropic `error.type`, the one table the gateway uses to shape errors the way
 * Claude Code and the Anthropic SDKs expect them (see the protocol reference, "Errors").
 */
const anthropicErrorTypes = {
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
} as const;

export type AnthropicErrorStatus = keyof typeof anthropicErrorTypes;

/** Anthropic's error envelope, as the SDKs parse it. */
interface AnthropicErrorBody {
  type: "error";
  error: { type: (typeof anthropicErrorTypes)[AnthropicErrorStatus]; message: string };
  request_id: string;
}

/** Answers with `status` and Anthropic's error envelope, its `error.type` taken from the table above. */
export function sendAnthropicError(
  res: http.ServerResponse,
  status: AnthropicErrorStatus,
  message: string,
  requestId: string,
): void {
  const body: AnthropicErrorBody = {
    type: "error",
    error: { type: anthropicErrorTypes[status], message },
    request_id: requestId,
  };
  sendJson(res, status, body);
}
