export type LogFields = Record<string, unknown>;

/** Structured logging, one JSON object per line on stdout, so log shippers need no parsing rules. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** The message of anything thrown, for a log field. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  if (error instanceof Error) {
    const message = error.message || error.name;
    // fetch() reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in `cause`.
    return error.cause === undefined ? message : `${message}: ${errorMessage(error.cause)}`;
  }
  return String(error);
}

export function createLogger(
  service: string,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const emit = (level: string, msg: string, fields?: LogFields) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
  return {
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/** A logger that drops everything; for tests. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
