import { checkReadiness } from "@perimeter/runtime";
import type { WebServices } from "./services";

/** How long each dependency may take before `/api/health` reports it failing. */
const healthTimeoutMs = 2_000;

export type HealthBody =
  | { status: "ok"; checks: Record<string, "ok"> }
  | { status: "unavailable"; checks: Record<string, string> };

/** Probes Postgres (`SELECT 1`) and Redis (`PING`); 200 when both answer, else 503 naming the failure. */
export async function checkWebHealth(
  services: Pick<WebServices, "db" | "redis" | "log">,
): Promise<{ status: 200 | 503; body: HealthBody }> {
  const report = await checkReadiness(
    [
      { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
      { name: "redis", run: () => services.redis.ping() },
    ],
    healthTimeoutMs,
  );
  if (report.ready) return { status: 200, body: { status: "ok", checks: report.checks as Record<string, "ok"> } };
  services.log.warn("not ready", { checks: report.checks, errors: report.errors });
  return { status: 503, body: { status: "unavailable", checks: report.checks } };
}
