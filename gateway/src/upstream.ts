import { Pool } from "undici";
import type { TokenizeChatRequest } from "./protocol/openai.ts";

/** An answer from vLLM whose headers have arrived; the body is read (or dumped) by the caller. */
export interface UpstreamReply {
  status: number;
  /** Buffers as they arrive; `text()` reads the rest at once. */
  body: AsyncIterable<Buffer> & { text(): Promise<string>; dump(): Promise<void> };
}

/** Why a request to vLLM got no answer. */
export type UpstreamFailureKind = "aborted" | "timeout" | "unavailable";

/** The gateway's view of one vLLM server. */
export interface Upstream {
  /** Its root URL, for logs. */
  readonly url: string;
  /** The `--served-model-name` requests name. */
  readonly servedModel: string;
  /** Resolves when `GET /health` answers 2xx; rejects with the status or network error otherwise. */
  health(signal: AbortSignal): Promise<void>;
  /** `POST /v1/chat/completions` with a serialized request; resolves as soon as the response headers arrive. */
  chatCompletions(body: string, signal: AbortSignal): Promise<UpstreamReply>;
  /** `POST /tokenize` (at the root, like vLLM serves it). */
  tokenize(body: TokenizeChatRequest, signal: AbortSignal): Promise<UpstreamReply>;
  /** The served model's `max_model_len` from `GET /v1/models`, cached; the fallback when unknown. */
  maxModelLen(): Promise<number>;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Server root without `/v1`, as `env.ts` leaves `VLLM_URL`. */
  url: string;
  servedModel: string;
  apiKey?: string;
  fallbackMaxModelLen: number;
  /** Longest wait for response headers (a non-streamed answer comes whole) and between body bytes. */
  timeoutMs: number;
}

const modelsTtlMs = 60_000;
const modelsRetryMs = 5_000;

/** Sorts a failed request into the three cases the gateway answers differently (undici error codes). */
export function classifyUpstreamFailure(error: unknown, signal: AbortSignal): UpstreamFailureKind {
  if (signal.aborted) return "aborted";
  const code = (error as { code?: string }).code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return "timeout";
  }
  return "unavailable";
}

/**
 * The vLLM server at `options.url`, through one keep-alive connection pool. Nothing is buffered: bodies
 * stream both ways, and streams may stay open for `timeoutMs` between bytes (Claude Code allows 600 s,
 * CC-37). Requests carry the gateway's own vLLM key, never the client's (AUTH-03).
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const root = new URL(options.url);
  const basePath = root.pathname.replace(/\/+$/, "");
  const pool = new Pool(root.origin, {
    connections: 256,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const headers = {
    "content-type": "application/json",
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  };
  let models: { maxModelLen: number; expiresAt: number } | undefined;

  const post = async (path: string, body: string, signal: AbortSignal): Promise<UpstreamReply> => {
    const reply = await pool.request({
      method: "POST",
      path: `${basePath}${path}`,
      headers,
      body,
      signal,
    });
    return { status: reply.statusCode, body: reply.body };
  };

  return {
    url: options.url,
    servedModel: options.servedModel,
    async health(signal) {
      const reply = await pool.request({ method: "GET", path: `${basePath}/health`, signal });
      await reply.body.dump();
      if (reply.statusCode < 200 || reply.statusCode > 299) throw new Error(`GET /health answered ${reply.statusCode}`);
    },
    chatCompletions: (body, signal) => post("/v1/chat/completions", body, signal),
    tokenize: (body, signal) => post("/tokenize", JSON.stringify(body), signal),
    async maxModelLen() {
      if (models && models.expiresAt > Date.now()) return models.maxModelLen;
      let maxModelLen = options.fallbackMaxModelLen;
      let ttl = modelsRetryMs;
      try {
        const reply = await pool.request({
          method: "GET",
          path: `${basePath}/v1/models`,
          headers,
          signal: AbortSignal.timeout(2_000),
        });
        if (reply.statusCode === 200) {
          const list = JSON.parse(await reply.body.text()) as { data?: { id?: string; max_model_len?: number }[] };
          const card = list.data?.find((entry) => entry.id === options.servedModel);
          if (typeof card?.max_model_len === "number" && card.max_model_len > 0) {
            maxModelLen = card.max_model_len;
            ttl = modelsTtlMs;
          }
        } else await reply.body.dump();
      } catch {
        // Unknown for now: the fallback serves until the next try.
      }
      models = { maxModelLen, expiresAt: Date.now() + ttl };
      return maxModelLen;
    },
    close: () => pool.close(),
  };
}
