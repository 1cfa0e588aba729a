/**
 * The message of anything thrown, for a log field or a readiness report. Never throws. Follows `cause`
 * (appended as `message: cause`) and takes the first error of a non-empty `AggregateError`.
 */
export function errorMessage(error: unknown): string {
  // Node reports a host refused on every address it resolved to (::1 and 127.0.0.1 for localhost) as an
  // AggregateError whose own message is empty; the first attempt's error says what went wrong.
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  if (error instanceof Error) {
    const message = error.message || error.name;
    // fetch() reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in `cause`.
    return error.cause === undefined ? message : `${message}: ${errorMessage(error.cause)}`;
  }
  return String(error);
}
