import http from "node:http";
import { answerReadiness, errorMessage, type ReadinessCheck, sendJson } from "@perimeter/runtime";
import type { WorkerServices } from "./services.ts";

/** How long each readiness probe may take before the worker reports itself not ready. */
const readinessTimeoutMs = 2_000;

/**
 * The worker's only HTTP surface, for probes: `GET /healthz` (liveness, no I/O), `GET /readyz`
 * (200 when Postgres and Redis answer within 2 s, else 503 naming the failing check) and
 * `GET /metrics` (Prometheus text: queue depths, usage backlog and lag, job durations and failures).
 */
export function createHealthServer(services: WorkerServices): http.Server {
  const checks: ReadinessCheck[] = [
    { name: "postgres", run: () => services.db.$queryRaw`SELECT 1` },
    { name: "redis", run: () => services.redis.ping() },
  ];
  return http.createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "GET" && path === "/healthz") {
      sendJson(res, 200, { status: "ok" });
    } else if (req.method === "GET" && path === "/readyz") {
      await answerReadiness(res, checks, readinessTimeoutMs, services.log);
    } else if (req.method === "GET" && path === "/metrics") {
      try {
        const body = await services.metrics.render();
        res.writeHead(200, {
          "content-type": services.metrics.registry.contentType,
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      } catch (error) {
        services.log.error("metrics failed", { error: errorMessage(error) });
        sendJson(res, 500, { error: "metrics_failed" });
      }
    } else {
      sendJson(res, 404, { error: "not_found" });
    }
  });
}
