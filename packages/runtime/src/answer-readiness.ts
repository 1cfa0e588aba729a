import type http from "node:http";
import type { Logger } from "./create-logger.ts";
import { checkReadiness, type ReadinessCheck } from "./readiness.ts";
import { sendJson } from "./send-json.ts";

/**
 * Answers a `/readyz` probe: 200 `{"status":"ready","checks":{…}}` when every check passes within
 * `timeoutMs`, else 503 `{"status":"unavailable","checks":{…}}`, logging why each failing check failed
 * (the reasons stay out of the body). Never rejects.
 */
export async function answerReadiness(
  res: http.ServerResponse,
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  const report = await checkReadiness(checks, timeoutMs);
  if (report.ready) {
    sendJson(res, 200, { status: "ready", checks: report.checks });
    return;
  }
  log.warn("not ready", { checks: report.checks, errors: report.errors });
  sendJson(res, 503, { status: "unavailable", checks: report.checks });
}
