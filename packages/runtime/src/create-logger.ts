export type LogFields = Record<string, unknown>;

/** Structured logging, one JSON object per line on stdout, so log shippers need no parsing rules. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * A logger for `service` that writes each entry as one JSON line `{"time","level","service","msg",…}`
 * through `write` (stdout unless given). Fields are spread at the top level rather than nested, so a
 * shipper can index them without a path.
 */
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
