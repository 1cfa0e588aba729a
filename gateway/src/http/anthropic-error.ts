import type http from "node:http";
import { sendJson } from "./respond.ts";

/**
 * HTTP status → Anthropic `error.type`, the one table the gateway uses to shape errors the way
 * Claude Code and the Anthropic SDKs expect them (see the protocol reference, "Errors").
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
} as const;

export type AnthropicErrorStatus = keyof typeof anthropicErrorTypes;
export type AnthropicErrorType = (typeof anthropicErrorTypes)[AnthropicErrorStatus];

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id: string;
}

export function anthropicErrorBody(
  status: AnthropicErrorStatus,
  message: string,
  requestId: string,
): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorTypes[status], message }, request_id: requestId };
}

export function sendAnthropicError(
  res: http.ServerResponse,
  status: AnthropicErrorStatus,
  message: string,
  requestId: string,
): void {
  sendJson(res, status, anthropicErrorBody(status, message, requestId));
}
