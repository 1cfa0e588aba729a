import { errorMessage } from "./error-message.ts";

export type CheckStatus = "ok" | "error" | "timeout";

/** One dependency probe; `run` resolves when the dependency answered and should honour `signal`. */
export interface ReadinessCheck {
  name: string;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckStatus>;
  /** Why each failing check failed, for the logs (not for the response body). */
  errors: Record<string, string>;
}

class CheckTimeout extends Error {}

async function runWithin(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  // Not NodeJS.Timeout: the web app type-checks this file with the DOM library too.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    // Clients that ignore the signal (Prisma, ioredis) are raced against the timer instead.
    await Promise.race([check.run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every check in parallel, each bounded by `timeoutMs` (its signal is aborted when time is up);
 * ready only when all of them pass. Never rejects: a failing check is reported, not thrown.
 */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const outcomes = await Promise.allSettled(checks.map((check) => runWithin(check, timeoutMs)));
  // Built in the order the checks were given, so response bodies are stable whatever answers first.
  const report: ReadinessReport = { ready: true, checks: {}, errors: {} };
  checks.forEach((check, index) => {
    const outcome = outcomes[index];
    if (outcome?.status === "fulfilled") {
      report.checks[check.name] = "ok";
      return;
    }
    report.ready = false;
    report.checks[check.name] = outcome?.reason instanceof CheckTimeout ? "timeout" : "error";
    report.errors[check.name] = errorMessage(outcome?.reason);
  });
  return report;
}
