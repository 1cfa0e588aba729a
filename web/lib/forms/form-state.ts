import type { OperationResult } from "../operations/operation-result";

/** Something to show once after a successful action: a secret, a sign-up link, a test answer. */
export interface Reveal {
  label: string;
  value: string;
  /** Shown under the value; e.g. "This secret is shown only once." */
  hint?: string;
}

/** What a server action returns to its form (through `useActionState`). */
export interface FormState {
  ok?: boolean;
  message?: string;
  /** One message per field name, shown next to that field. */
  fields?: Record<string, string>;
  reveals?: Reveal[];
}

export const initialFormState: FormState = {};

/**
 * The form state for an operation's result: its field messages (renamed to the form's field names,
 * e.g. `limits.requestsPerMinute` → `requestsPerMinute`, `filter.from` → `from`) or the success
 * message and reveals.
 */
export function toFormState<T>(
  result: OperationResult<T>,
  success: (value: T) => { message: string; reveals?: Reveal[] },
): FormState {
  if (!result.ok) {
    const fields =
      result.code === "INVALID"
        ? Object.fromEntries(
            Object.entries(result.fields).map(([path, message]) => [path.replace(/^(limits|filter)\./, ""), message]),
          )
        : undefined;
    return { ok: false, message: result.message, fields };
  }
  return { ok: true, ...success(result.value) };
}
