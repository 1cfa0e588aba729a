/**
 * The most specific reason a connection attempt failed: `ECONNREFUSED` rather than a wrapper's text,
 * and only the first line of a message. Unlike runtime's `errorMessage`, which keeps the whole text
 * for logs, this is the short reason shown in brackets in a one-line ConfigError.
 */
export function describeConnectError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeConnectError(error.errors[0]);
  if (error && typeof error === "object") {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // node-postgres reports server-side refusals (bad password, unknown database) as SQLSTATE codes,
    // which mean nothing to a reader; the server's message does.
    if (typeof code === "string" && /^[A-Z]+$/.test(code)) return code;
    if (typeof message === "string" && message.length > 0) return message.split("\n")[0] ?? message;
  }
  return String(error);
}
