import http from "node:http";
import { performance } from "node:perf_hooks";
import { sendJson } from "@perimeter/runtime";
import { type ChatContext, handleChatCompletion, sendVllmError } from "./chat-completion.ts";
import type { ModelList } from "./model-list.ts";
import { type SimRecordedRequest, SimScriptError, type SimState } from "./sim-state.ts";
import { handleTokenize } from "./tokenize.ts";

export interface ServerContext {
  chat: ChatContext;
  state: SimState;
  modelList: ModelList;
  version: string;
  apiKey: string | undefined;
  renderMetrics: () => string;
  /** Clears queue, rules, recorded requests, prefix cache and metrics. */
  reset: () => void;
}

const maxBodyBytes = 64 * 1024 * 1024;

async function readBody(req: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > maxBodyBytes) throw new Error("request body too large");
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString("utf8");
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// FastAPI's own answers for routes it does not have: vLLM registers its handler for fastapi's
// HTTPException, while Starlette's router raises starlette's, so the default `{"detail": …}` body wins
// (seen in vLLM issue #5082).
const routes = new Map<string, string[]>([
  ["/health", ["GET"]],
  ["/version", ["GET"]],
  ["/metrics", ["GET"]],
  ["/v1/models", ["GET"]],
  ["/v1/chat/completions", ["POST"]],
  ["/tokenize", ["POST"]],
  ["/sim/turns", ["POST"]],
  ["/sim/rules", ["PUT"]],
  ["/sim/requests", ["GET", "DELETE"]],
  ["/sim/reset", ["POST"]],
]);

function invalidJson(): { status: number; body: unknown } {
  return {
    status: 400,
    body: {
      error: {
        message: "1 validation error:\n  {'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error'}",
        type: "Bad Request",
        param: "body",
        code: 400,
      },
    },
  };
}

async function simAdmin(ctx: ServerContext, method: string, path: string, body: unknown, res: http.ServerResponse) {
  const payload = (body ?? {}) as Record<string, unknown>;
  try {
    if (path === "/sim/turns") ctx.state.enqueue((payload.turns ?? []) as never[]);
    else if (path === "/sim/rules") ctx.state.setRules((payload.rules ?? []) as never[]);
    else if (path === "/sim/requests" && method === "GET")
      return sendJson(res, 200, { requests: ctx.state.requests() });
    else if (path === "/sim/requests") ctx.state.clearRequests();
    else ctx.reset();
  } catch (error) {
    if (error instanceof SimScriptError) return sendJson(res, 400, { error: { message: error.message } });
    throw error;
  }
  sendJson(res, 200, { ok: true });
}

/**
 * The simulator's HTTP server: vLLM's routes, the simulator's own `/sim/*` control routes, vLLM's
 * `--api-key` check (Bearer, on `/v1/*` only), and a record of every request received.
 */
export function createVllmSimServer(ctx: ServerContext): http.Server {
  return http.createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, message === "request body too large" ? 413 : 500, {
        error: { message, type: "InternalServerError", param: null, code: 500 },
      });
    });
  });
}

async function handle(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const arrivedAt = performance.now();
  const method = req.method ?? "GET";
  const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
  const text = await readBody(req);
  const parsed = parseBody(text);
  const record: SimRecordedRequest = {
    method,
    path,
    headers: { ...req.headers },
    body: parsed.ok ? parsed.value : text,
    receivedAtMs: Date.now(),
  };
  if (!path.startsWith("/sim/")) ctx.state.record(record);

  // vLLM's AuthenticationMiddleware: OPTIONS and paths outside /v1 pass; others need the Bearer token.
  if (ctx.apiKey !== undefined && method !== "OPTIONS" && path.startsWith("/v1")) {
    if (req.headers.authorization !== `Bearer ${ctx.apiKey}`) return sendJson(res, 401, { error: "Unauthorized" });
  }
  const allowed = routes.get(path);
  if (!allowed) return sendJson(res, 404, { detail: "Not Found" });
  if (!allowed.includes(method)) return sendJson(res, 405, { detail: "Method Not Allowed" });
  if (!parsed.ok) {
    const error = invalidJson();
    return sendJson(res, error.status, error.body);
  }

  switch (path) {
    case "/health":
      res.writeHead(200, { "content-length": 0 });
      res.end();
      return;
    case "/version":
      return sendJson(res, 200, { version: ctx.version });
    case "/metrics": {
      const body = ctx.renderMetrics();
      res.writeHead(200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    case "/v1/models":
      return sendJson(res, 200, ctx.modelList);
    case "/v1/chat/completions":
      return handleChatCompletion(
        ctx.chat,
        parsed.value,
        res,
        (notes) => {
          record.reasoning = notes;
        },
        arrivedAt,
      );
    case "/tokenize": {
      const result = handleTokenize(ctx.chat, parsed.value);
      if (!result.ok) return sendVllmError(res, result.error);
      return sendJson(res, 200, result.body);
    }
    default:
      return simAdmin(ctx, method, path, parsed.value, res);
  }
}
