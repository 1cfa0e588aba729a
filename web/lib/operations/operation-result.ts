import { ZodError } from "zod";
import { installFieldMessages } from "../forms/zod-messages";

// Every operation's validation goes through here, so this is where zod learns the messages forms show.
installFieldMessages();

/** Why an operation did not happen. Each code maps to one HTTP status in `lib/api/error-status.ts`. */
export type OperationFailure =
  | { ok: false; code: "NOT_FOUND" | "FORBIDDEN" | "CONFLICT"; message: string }
  | { ok: false; code: "INVALID"; message: string; fields: Record<string, string> };

export type OperationResult<T> = { ok: true; value: T } | OperationFailure;

export function ok<T>(value: T): OperationResult<T> {
  return { ok: true, value };
}

export const notFound = (what: string): OperationFailure => ({
  ok: false,
  code: "NOT_FOUND",
  message: `${what} not found`,
});
export const forbidden = (message = "your role does not allow this"): OperationFailure => ({
  ok: false,
  code: "FORBIDDEN",
  message,
});
export const conflict = (message: string): OperationFailure => ({ ok: false, code: "CONFLICT", message });

/** A validation failure naming the fields at fault, as forms and the API show them. */
export function invalid(fields: Record<string, string>, message = "some fields are not valid"): OperationFailure {
  return { ok: false, code: "INVALID", message, fields };
}

/** Turns zod's issues into one message per field (`limits.requestsPerMinute`), the first issue winning. */
export function fieldErrors(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.length > 0 ? issue.path.join(".") : "_";
    fields[path] ??= issue.message;
  }
  return fields;
}

/**
 * Runs an operation body, turning a ZodError (bad input, from our own schemas or from a core verb's)
 * into INVALID with field messages. Any other exception is a failure and propagates.
 */
export async function guard<T>(body: () => Promise<OperationResult<T>>): Promise<OperationResult<T>> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ZodError) return invalid(fieldErrors(error));
    throw error;
  }
}
