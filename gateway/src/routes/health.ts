import { answerReadiness, type ReadinessCheck, sendJson } from "@perimeter/runtime";
import type { RouteHandler } from "../http/route.ts";
import type { GatewayServices } from "../services.ts";

/** How long each readiness probe may take before the gateway reports itself not ready. */
const readinessTimeoutMs = 2_000;

/** `GET /healthz`: liveness. The process answers, nothing else is touched. */
export const healthz: RouteHandler = ({ res }) => {
  sendJson(res, 200, { status: "ok" });
};

/** `HEAD /`: connectivity probe some clients send to the base URL before anything else. */
export const headRoot: RouteHandler = ({ res }) => {
  res.writeHead(204).end();
};

/**
 * `GET /readyz`: 200 when Postgres (keys, limits), Redis (admission) and the vLLM upstream all answer
 * within 2 s, else 503 naming the failing check.
 */
export function readyz(services: GatewayServices): RouteHandler {
  const checks: ReadinessCheck[] = [
    { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
    { name: "redis", run: () => services.redis.ping() },
    { name: "upstream", run: (signal) => services.upstream.health(signal) },
  ];
  return ({ res }) => answerReadiness(res, checks, readinessTimeoutMs, services.log);
}
