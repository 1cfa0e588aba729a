import http from "node:http";
import { checkReadiness, type ReadinessCheck } from "@perimeter/runtime";
import type { WorkerServices } from "./services.ts";

/** How long each readiness probe may take before the worker reports itself not ready. */
export const readinessTimeoutMs = 2_000;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

export function workerReadinessChecks(services: WorkerServices): ReadinessCheck[] {
  return [
    { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
    { name: "redis", run: () => services.redis.ping() },
  ];
}

/**
 * The worker's only HTTP surface, for probes: `GET /healthz` (liveness, no I/O) and `GET /readyz`
 * (200 when Postgres and Redis answer within 2 s, else 503 naming the failing check).
 */
export function createHealthServer(services: WorkerServices): http.Server {
  const checks = workerReadinessChecks(services);
  return http.createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "GET" && path === "/healthz") {
      sendJson(res, 200, { status: "ok" });
      return;
    }
    if (req.method === "GET" && path === "/readyz") {
      const report = await checkReadiness(checks, readinessTimeoutMs);
      if (report.ready) {
        sendJson(res, 200, { status: "ready", checks: report.checks });
      } else {
        services.log.warn("not ready", { checks: report.checks, errors: report.errors });
        sendJson(res, 503, { status: "unavailable", checks: report.checks });
      }
      return;
    }
    sendJson(res, 404, { error: "not_found" });
  });
}
