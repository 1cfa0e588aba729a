import http from "node:http";
import { newId } from "@perimeter/db";
import { errorMessage } from "@perimeter/runtime";
import { sendAnthropicError } from "./http/anthropic-error.ts";
import type { RouteHandler } from "./http/route.ts";
import { chatCompletionsRoute } from "./routes/chat-completions.ts";
import { countTokensRoute } from "./routes/count-tokens.ts";
import { headProbe, healthz, metrics, readyz } from "./routes/health.ts";
import { messagesRoute } from "./routes/messages.ts";
import { modelsRoute } from "./routes/models.ts";
import { responsesRoute } from "./routes/responses.ts";
import type { GatewayServices } from "./services.ts";

/**
 * The route for a method and path. The query string never matters (Claude Code posts to
 * `/v1/messages?beta=true`, CC-01), and an API path keeps working under a prefix, as when
 * `ANTHROPIC_BASE_URL` is `https://host/anthropic` (claude-code-traffic §2).
 */
function findRoute(routes: Map<string, RouteHandler>, method: string, path: string): RouteHandler | undefined {
  const exact = routes.get(`${method} ${path}`);
  if (exact) return exact;
  if (method === "HEAD") return headProbe;
  const api = path.indexOf("/v1/");
  const tail = api > 0 ? path.slice(api) : path;
  if (api > 0 && routes.has(`${method} ${tail}`)) return routes.get(`${method} ${tail}`);
  if (method === "GET" && tail.startsWith("/v1/models/")) return routes.get("GET /v1/models");
  return undefined;
}

/**
 * The gateway's HTTP server: a plain `node:http` server with a route table keyed by `"METHOD /path"`.
 * Every response carries a `request-id`; unknown routes get Anthropic's 404 envelope and unexpected
 * failures a 500 `api_error`. The caller decides where to listen.
 */
export function createServer(services: GatewayServices): http.Server {
  const routes = new Map<string, RouteHandler>([
    ["POST /v1/messages", messagesRoute(services)],
    ["POST /v1/messages/count_tokens", countTokensRoute(services)],
    ["GET /v1/models", modelsRoute(services)],
    ["POST /v1/chat/completions", chatCompletionsRoute(services)],
    ["POST /v1/responses", responsesRoute(services)],
    ["GET /healthz", healthz],
    ["GET /readyz", readyz(services)],
    ["GET /metrics", metrics(services)],
  ]);

  // Nagle off: stream events go out as they are written, not when a packet fills.
  return http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    const requestId = newId("request");
    res.setHeader("request-id", requestId);
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    const handler = findRoute(routes, method, path);
    if (!handler) {
      sendAnthropicError(res, 404, `Not found: ${method} ${path.slice(0, 200)}`, requestId);
      return;
    }
    let pending: void | Promise<void>;
    try {
      pending = handler({ req, res, requestId });
    } catch (error) {
      fail(services, res, { requestId, method, path }, error);
      return;
    }
    pending?.catch((error: unknown) => fail(services, res, { requestId, method, path }, error));
  });
}

/** A handler that threw: logged, and answered with a 500 unless the answer had already started. */
function fail(
  services: GatewayServices,
  res: http.ServerResponse,
  request: { requestId: string; method: string; path: string },
  error: unknown,
): void {
  services.log.error("request failed", { ...request, error: errorMessage(error) });
  if (res.headersSent) res.destroy();
  else sendAnthropicError(res, 500, "Internal server error", request.requestId);
}
