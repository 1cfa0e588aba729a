import { checkReadiness, type ReadinessCheck } from "@perimeter/runtime";
import { sendEmpty, sendJson } from "../http/respond.ts";
import type { RouteHandler } from "../http/route.ts";
import type { GatewayServices } from "../services.ts";

/** How long each readiness probe may take before the gateway reports itself not ready. */
export const readinessTimeoutMs = 2_000;

/** `GET /healthz`: liveness. The process answers, nothing else is touched. */
export const healthz: RouteHandler = ({ res }) => {
  sendJson(res, 200, { status: "ok" });
};

/** `HEAD /`: connectivity probe some clients send to the base URL before anything else. */
export const headRoot: RouteHandler = ({ res }) => {
  sendEmpty(res, 204);
};

/** The dependencies a request needs: Postgres (keys, limits), Redis (admission) and the vLLM upstream. */
export function gatewayReadinessChecks(services: GatewayServices): ReadinessCheck[] {
  return [
    { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
    { name: "redis", run: () => services.redis.ping() },
    { name: "upstream", run: (signal) => services.upstream.health(signal) },
  ];
}

/** `GET /readyz`: 200 when every dependency answers within 2 s, else 503 naming the failing check. */
export function readyz(services: GatewayServices): RouteHandler {
  const checks = gatewayReadinessChecks(services);
  return async ({ res }) => {
    const report = await checkReadiness(checks, readinessTimeoutMs);
    if (report.ready) {
      sendJson(res, 200, { status: "ready", checks: report.checks });
      return;
    }
    services.log.warn("not ready", { checks: report.checks, errors: report.errors });
    sendJson(res, 503, { status: "unavailable", checks: report.checks });
  };
}
