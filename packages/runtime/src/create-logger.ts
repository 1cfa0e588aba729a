export type LogFields = Record<string, unknown>;

/** Structured logging, one JSON object per line on stdout, so log shippers need no parsing rules. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * A writer to stdout that gathers the lines of `windowMs` (10 ms) into one write: a gateway logs every
 * request, and a system call per line cost more than the line. Lines go out when the window closes, at
 * once past 64 KiB, and on exit (an uncaught error included); only a SIGKILL can lose the last window's.
 */
export function batchedStdout(
  out: { write(text: string): unknown } = process.stdout,
  windowMs = 10,
): (line: string) => void {
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    size = 0;
    out.write(text);
  };
  process.once("exit", flush);
  return (line) => {
    pending.push(line);
    size += line.length;
    if (size >= 65_536) flush();
    else if (timer === undefined) {
      timer = setTimeout(flush, windowMs);
      // Waiting lines never keep a process alive: exit writes them.
      timer.unref();
    }
  };
}

/**
 * A logger for `service` that writes each entry as one JSON line `{"time","level","service","msg",…}`
 * through `write` (stdout, batched over 10 ms, unless given). Fields are spread at the
 * top level rather than nested, so a shipper can index them without a path.
 */
export function createLogger(service: string, write: (line: string) => void = batchedStdout()): Logger {
  const serviceJson = JSON.stringify(service);
  // The fixed part of each entry is written as text and the fields serialized on their own: a gateway logs
  // every request, and copying its fields into a new object first cost more than the serializing. A field
  // named like a fixed one comes after it, so it is what a JSON reader sees, as with a merged object.
  const emit = (level: string, msg: string, fields?: LogFields) => {
    const head = `{"time":"${new Date().toISOString()}","level":"${level}","service":${serviceJson},"msg":${JSON.stringify(msg)}`;
    const rest = fields ? JSON.stringify(fields) : "{}";
    write(rest.length > 2 ? `${head},${rest.slice(1)}\n` : `${head}}\n`);
  };
  return {
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/** A logger that drops everything; for tests. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
