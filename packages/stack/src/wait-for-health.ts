import { configErrorExitCode } from "@perimeter/runtime";
import { ConfigError } from "./config-error.ts";
import { describeExit, type RunningService, type ServiceExit } from "./service-process.ts";

/** A service that died or never became healthy during startup; the message ends with its last lines. */
export class ServiceStartError extends Error {
  override name = "ServiceStartError";
}

function withRecentLines(message: string, service: RunningService): string {
  const lines = service.recentLines().slice(-15);
  return lines.length === 0 ? message : `${message}; its last lines:\n${lines.map((line) => `  ${line}`).join("\n")}`;
}

/**
 * Polls `GET url` until it answers 200. Fails with a message naming the service when it exits first
 * (exit code 78 becomes a ConfigError carrying the service's own one-line explanation) or when
 * `timeoutMs` passes.
 */
export async function waitForHealthy(
  service: RunningService,
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let exit: ServiceExit | undefined;
  void service.exited.then((value) => {
    exit = value;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (exit) {
      if (exit.code === configErrorExitCode) {
        const line = service.recentLines().at(-1) ?? "configuration error";
        throw new ConfigError(`${service.name}: ${line}`);
      }
      throw new ServiceStartError(withRecentLines(`${service.name} ${describeExit(exit)} during startup`, service));
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new ServiceStartError(
        withRecentLines(`${service.name} did not answer GET ${url} with 200 within ${timeoutMs / 1000} s`, service),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
