/**
 * A problem the operator fixes by changing configuration or the machine (a bad URL, a missing binary).
 * Its message is exactly one line that names the variable or thing to fix; entry points print it
 * without a stack trace and exit with code 78 (EX_CONFIG), like the services do.
 */
export class ConfigError extends Error {
  override name = "ConfigError";

  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, " ").trim());
  }
}

/** Exit code for configuration errors, shared with the services (sysexits.h EX_CONFIG). */
export const configErrorExitCode = 78;

/** The most specific reason a connection attempt failed: `ECONNREFUSED` rather than a wrapper's text. */
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
