import http from "node:http";
import { newId } from "@perimeter/db";
import { errorMessage } from "@perimeter/runtime";
import { sendAnthropicError } from "./http/anthropic-error.ts";
import type { RouteHandler } from "./http/route.ts";
import { headRoot, healthz, readyz } from "./routes/health.ts";
import type { GatewayServices } from "./services.ts";

/**
 * The gateway's HTTP server: a plain `node:http` server with an exact-match route table keyed by
 * `"METHOD /path"`. Every response carries a `request-id`; unknown routes get Anthropic's 404 envelope
 * and unexpected failures a 500 `api_error`. The caller decides where to listen.
 */
export function createServer(services: GatewayServices): http.Server {
  const routes = new Map<string, RouteHandler>([
    ["GET /healthz", healthz],
    ["GET /readyz", readyz(services)],
    ["HEAD /", headRoot],
  ]);

  return http.createServer((req, res) => {
    const requestId = newId("request");
    res.setHeader("request-id", requestId);
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) {
      sendAnthropicError(res, 404, `Not found: ${req.method} ${path.slice(0, 200)}`, requestId);
      return;
    }
    Promise.resolve()
      .then(() => handler({ req, res, requestId }))
      .catch((error: unknown) => {
        services.log.error("request failed", { requestId, method: req.method, path, error: errorMessage(error) });
        if (res.headersSent) res.destroy();
        else sendAnthropicError(res, 500, "Internal server error", requestId);
      });
  });
}
