import http from "node:http";
import { sendJson } from "@perimeter/runtime";
import { buildModelList, type ServedModel } from "./model-list.ts";

/** vLLM's error envelope (`ErrorResponse` / `ErrorInfo`), used for every non-2xx answer. */
interface VllmErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string): void {
  const body: VllmErrorBody = { error: { message, type, param: null, code: status } };
  sendJson(res, status, body);
}

/**
 * Creates (but does not start) the simulator's HTTP server for one served model. Routes so far:
 * `GET /health` (200, empty body, like vLLM) and `GET /v1/models`; anything else is a vLLM-style 404.
 */
export function createVllmSimServer(model: ServedModel): http.Server {
  // Built once, so its `created` and permission id stay the same for the life of the server.
  const modelList = buildModelList(model);

  return http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (req.method === "GET" && path === "/health") {
      res.writeHead(200, { "content-length": 0 });
      res.end();
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, modelList);
      return;
    }
    sendError(res, 404, "NotFoundError", `Route ${req.method} ${path} not found`);
  });
}
