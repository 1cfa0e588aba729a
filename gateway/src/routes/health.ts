import { answerReadiness, type ReadinessCheck, sendJson } from "@perimeter/runtime";
import type { RouteHandler } from "../http/route.ts";
import type { GatewayServices } from "../services.ts";

/** How long each readiness probe may take before the gateway reports itself not ready. */
const readinessTimeoutMs = 2_000;

/** `GET /healthz`: liveness. The process answers, nothing else is touched. */
export const healthz: RouteHandler = ({ res }) => {
  sendJson(res, 200, { status: "ok" });
};

/**
 * `HEAD` on any path, `/` and `/api/hello` included: the connection-warming probes Claude Code sends to its
 * base URL (CC-04). 204, no authentication, no quota.
 */
export const headProbe: RouteHandler = ({ res }) => {
  res.writeHead(204).end();
};

/**
 * `GET /readyz`: 200 when Postgres (keys), Redis (admission, metering) and the static vLLM upstream, if
 * one is configured, all answer within 2 s, else 503 naming the failing check.
 */
export function readyz(services: GatewayServices): RouteHandler {
  const checks: ReadinessCheck[] = [
    { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
    { name: "redis", run: () => services.redis.ping() },
  ];
  // Deployments come and go with their own health; only a fixed upstream is part of this process's.
  if (services.upstream) {
    checks.push({
      name: "upstream",
      run: (signal) => (services.upstream as NonNullable<typeof services.upstream>).health(signal),
    });
  }
  return ({ res }) => answerReadiness(res, checks, readinessTimeoutMs, services.log);
}

/** `GET /metrics`: Prometheus text (requests, latency, time to first token, tokens, in-flight, aborts). */
export function metrics(services: GatewayServices): RouteHandler {
  return async ({ res }) => {
    const text = await services.metrics.registry.metrics();
    res.writeHead(200, { "content-type": services.metrics.registry.contentType }).end(text);
  };
}
