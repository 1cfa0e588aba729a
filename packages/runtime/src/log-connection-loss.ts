import type { LogFields, Logger } from "./create-logger.ts";
import { errorMessage } from "./error-message.ts";

/**
 * A client that reconnects by itself, emitting `error` on every failed attempt and `ready` once it is
 * connected again (ioredis does).
 */
export interface ReconnectingClient {
  on(event: "error", listener: (error: unknown) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/**
 * Logs `<name> unavailable` (warn, with the error) on the first error after the client was connected or
 * created, and `<name> reconnected` (info) when it is back, instead of a line per reconnect attempt.
 * `fields` go on both lines, e.g. to tell apart two connections to the same server.
 */
export function logConnectionLoss(client: ReconnectingClient, name: string, log: Logger, fields?: LogFields): void {
  let failing = false;
  client.on("error", (error) => {
    if (failing) return;
    failing = true;
    log.warn(`${name} unavailable`, { ...fields, error: errorMessage(error) });
  });
  client.on("ready", () => {
    if (failing) log.info(`${name} reconnected`, fields);
    failing = false;
  });
}
