import type { OperationFailure } from "../operations/operation-result";

/** The one error envelope of `/api/v1`: `{ error: { type, message, fields? }, requestId }`. */
export interface ApiErrorBody {
  error: { type: ApiErrorType; message: string; fields?: Record<string, string> };
  requestId: string;
}

export type ApiErrorType =
  | "invalid_request"
  | "authentication_error"
  | "permission_error"
  | "not_found"
  | "conflict"
  | "internal_error";

/** HTTP status and envelope type of every operation failure code: the API's one mapping table. */
export const failureStatus: Record<OperationFailure["code"], { status: number; type: ApiErrorType }> = {
  INVALID: { status: 400, type: "invalid_request" },
  FORBIDDEN: { status: 403, type: "permission_error" },
  NOT_FOUND: { status: 404, type: "not_found" },
  CONFLICT: { status: 409, type: "conflict" },
};

/** A JSON error response in the envelope, with the request id also in the `request-id` header. */
export function errorResponse(
  status: number,
  type: ApiErrorType,
  message: string,
  requestId: string,
  fields?: Record<string, string>,
): Response {
  const body: ApiErrorBody = { error: { type, message, ...(fields ? { fields } : {}) }, requestId };
  return Response.json(body, { status, headers: { "request-id": requestId, "cache-control": "no-store" } });
}

/** The error response for an operation's failure. */
export function failureResponse(failure: OperationFailure, requestId: string): Response {
  const { status, type } = failureStatus[failure.code];
  return errorResponse(
    status,
    type,
    failure.message,
    requestId,
    failure.code === "INVALID" ? failure.fields : undefined,
  );
}
