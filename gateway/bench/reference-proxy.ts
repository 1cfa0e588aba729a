// Entry point of a reference proxy process: the floors the gateway is measured against
// (`shared/reference/performance.md`), each a node:http server in front of one undici Pool with the
// gateway's own pool settings.
//
//   pipe        streams request and answer through untouched (`Pool.stream`)
//   json        buffers and parses the request, re-serializes it; parses and re-serializes the answer,
//               every SSE `data:` line of a stream as it arrives
//   json-redis  json, plus one awaited Redis script (a fixed-window rate-limit check) before forwarding
//               and one fire-and-forget pipeline (a token counter and an `XADD` usage event) after
//
// Usage: reference-proxy.ts --mode <pipe|json|json-redis> --port N --upstream URL [--redis URL --prefix P]
// Only POST requests take the mode's path; anything else (the `/health` probe) is piped.

import http from "node:http";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { Pool } from "undici";
import { z } from "zod";

const argsSchema = z
  .object({
    mode: z.enum(["pipe", "json", "json-redis"]),
    port: z.coerce.number().int().min(0).max(65_535),
    upstream: z.url(),
    redis: z.string().optional(),
    prefix: z.string().min(1).optional(),
  })
  .refine((args) => args.mode !== "json-redis" || (args.redis && args.prefix), "json-redis needs --redis and --prefix");

const parsedArgs = argsSchema.safeParse(
  parseArgs({
    options: {
      mode: { type: "string" },
      port: { type: "string" },
      upstream: { type: "string" },
      redis: { type: "string" },
      prefix: { type: "string" },
    },
  }).values,
);
if (!parsedArgs.success) {
  process.stderr.write(`reference-proxy: ${parsedArgs.error.issues.map((issue) => issue.message).join("; ")}\n`);
  process.exit(64);
}
const args = parsedArgs.data;

/** Far above any load the benchmark makes: the check runs on every request and never refuses. */
const requestsPerMinute = 1_000_000_000;
const maxBodyBytes = 32 * 1024 * 1024;

// The same pool as the gateway's upstream (`src/upstream.ts`).
const pool = new Pool(new URL(args.upstream).origin, {
  connections: 256,
  keepAliveTimeout: 30_000,
  headersTimeout: 600_000,
  bodyTimeout: 600_000,
});

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "host", "te", "trailer", "upgrade"]);

function passableHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name)) out[name] = value;
  }
  return out;
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message, type: "proxy_error" } });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** An AbortSignal that fires when the client goes away before its answer is complete. */
function clientGone(res: http.ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

function pipe(req: http.IncomingMessage, res: http.ServerResponse): void {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  pool
    .stream(
      {
        method: req.method as "GET",
        path: req.url ?? "/",
        headers: passableHeaders(req.headers),
        ...(hasBody ? { body: req } : {}),
        signal: clientGone(res),
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, passableHeaders(headers));
        return res;
      },
    )
    .catch((error: Error) => sendError(res, 502, error.message));
}

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

interface Usage {
  total_tokens?: number;
}

/** Re-serializes each SSE `data:` line of `body` as it arrives; returns the last usage seen. */
async function relayStream(body: AsyncIterable<Buffer>, res: http.ServerResponse): Promise<Usage | undefined> {
  const decoder = new TextDecoder();
  let pending = "";
  let usage: Usage | undefined;
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let out = "";
    let start = 0;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n", start)) {
      const line = pending.slice(start, end);
      start = end + 1;
      if (!line.startsWith("data: ")) continue;
      const data = line.slice(6);
      if (data === "[DONE]") {
        out += "data: [DONE]\n\n";
        continue;
      }
      const event = JSON.parse(data) as { usage?: Usage };
      if (event.usage) usage = event.usage;
      out += `data: ${JSON.stringify(event)}\n\n`;
    }
    pending = pending.slice(start);
    if (out) res.write(out);
  }
  return usage;
}

type AfterAnswer = (status: number, usage: Usage | undefined, startedAt: number) => void;

/** The json path; `admit` and `after` are the json-redis additions. */
function jsonProxy(admit?: () => Promise<boolean>, after?: AfterAnswer) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const text = await readBody(req);
    if (text === undefined) return sendError(res, 413, "request too large");
    let serialized: string;
    try {
      serialized = JSON.stringify(JSON.parse(text));
    } catch {
      return sendError(res, 400, "request body is not JSON");
    }
    if (admit && !(await admit())) return sendError(res, 429, "rate limited");
    const reply = await pool.request({
      method: "POST",
      path: req.url ?? "/",
      headers: { "content-type": "application/json" },
      body: serialized,
      signal: clientGone(res),
    });
    let usage: Usage | undefined;
    if (String(reply.headers["content-type"]).startsWith("text/event-stream")) {
      res.writeHead(reply.statusCode, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      usage = await relayStream(reply.body, res);
      res.end();
    } else {
      const answer = await reply.body.text();
      let out = answer;
      if (reply.statusCode === 200) {
        const completion = JSON.parse(answer) as { usage?: Usage };
        usage = completion.usage;
        out = JSON.stringify(completion);
      }
      res.writeHead(reply.statusCode, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
      res.end(out);
    }
    after?.(reply.statusCode, usage, startedAt);
  };
}

// A fixed one-minute window: the cheapest real rate-limit check, one round trip.
const admitLua = `
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end
if used > tonumber(ARGV[1]) then return 0 end
return 1
`;

async function jsonRedisProxy(redisUrl: string, prefix: string) {
  // The gateway's command-client options (`src/services.ts`).
  const redis = new Redis(redisUrl, {
    connectionName: "perimeter-bench-reference",
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    enableAutoPipelining: true,
  }) as Redis & { benchAdmit(key: string, limit: number): Promise<number> };
  redis.defineCommand("benchAdmit", { numberOfKeys: 1, lua: admitLua });
  await new Promise<void>((resolve, reject) => {
    redis.once("ready", resolve);
    redis.once("error", reject);
  });
  redis.on("error", () => {});
  let sequence = 0;
  return jsonProxy(
    async () => (await redis.benchAdmit(`${prefix}:rate:${Math.floor(Date.now() / 60_000)}`, requestsPerMinute)) === 1,
    (status, usage, startedAt) => {
      const tokens = usage?.total_tokens ?? 0;
      const event = {
        requestId: `${prefix}-${++sequence}`,
        status,
        tokens,
        startedAt,
        latencyMs: Date.now() - startedAt,
      };
      redis
        .pipeline()
        .incrby(`${prefix}:tokens`, tokens)
        .xadd(`${prefix}:usage`, "*", "e", JSON.stringify(event))
        .exec()
        .catch(() => {});
    },
  );
}

const handle =
  args.mode === "pipe"
    ? pipe
    : args.mode === "json"
      ? jsonProxy()
      : await jsonRedisProxy(args.redis as string, args.prefix as string);

const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method !== "POST") return pipe(req, res);
  Promise.resolve(handle(req, res)).catch((error: Error) => sendError(res, 502, error.message));
});
server.listen(args.port, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ msg: "listening", mode: args.mode, port: args.port })}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.close().finally(() => process.exit(0));
  });
}
