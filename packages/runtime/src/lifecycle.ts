import { once } from "node:events";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./create-logger.ts";
import { errorMessage } from "./error-message.ts";

/**
 * Starts listening on `port` (0 picks a free one) and `host`, and resolves with a URL a local client can
 * use: wildcard hosts become loopback and IPv6 literals are bracketed. Rejects if the port is taken.
 */
export async function listen(server: http.Server, port: number, host: string): Promise<string> {
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  // An empty host binds every interface, like the explicit wildcards.
  const wildcard = host === "" || host === "0.0.0.0" || host === "::";
  const shownHost = wildcard ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}

/**
 * Stops accepting connections and closes idle keep-alive sockets at once; requests in flight get
 * `graceMs` to finish before their sockets are cut. Resolves once the port is released; a server that
 * is not listening resolves at once.
 */
export async function closeServer(server: http.Server, graceMs = 3_000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

/**
 * Runs `shutdown` once on the first SIGINT or SIGTERM, then exits 0; exits 1 if it throws or takes
 * longer than `timeoutMs`. A second signal falls through to Node's default and kills the process.
 */
export function exitOnShutdownSignal(log: Logger, shutdown: () => Promise<void>, timeoutMs = 5_000): void {
  const onSignal = async (signal: NodeJS.Signals) => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    log.info("shutting down", { signal });
    setTimeout(() => {
      log.error("shutdown timed out", { timeoutMs });
      process.exit(1);
    }, timeoutMs).unref();
    try {
      await shutdown();
      log.info("stopped");
      process.exit(0);
    } catch (error) {
      log.error("shutdown failed", { error: errorMessage(error) });
      process.exit(1);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
