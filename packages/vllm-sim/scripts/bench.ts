// Benchmark, not a test: 200 concurrent streams against a simulator process with latency on. Prints
// measured against configured time to first token and inter-token latency, and the process's peak RSS.
// Run: npm run bench -w @perimeter/vllm-sim   (STREAMS, ITL_MS, TTFT_MS_PER_TOKEN, PREFILL_MS override)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";

const streams = Number(process.env.STREAMS ?? 200);
const itlMs = Number(process.env.ITL_MS ?? 25);
const ttftMsPerToken = Number(process.env.TTFT_MS_PER_TOKEN ?? 0.4);
const prefillMs = Number(process.env.PREFILL_MS ?? 200);
const answerWords = 60;

const root = path.resolve(import.meta.dirname, "..");
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "src/main.ts",
    "--port",
    "0",
    "--itl-ms",
    String(itlMs),
    "--ttft-ms-per-token",
    String(ttftMsPerToken),
    "--prefill-overhead-ms",
    String(prefillMs),
    "--max-num-seqs",
    String(streams),
  ],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
);
let logs = "";
child.stdout.on("data", (chunk: Buffer) => {
  logs += chunk.toString();
});
const url = await new Promise<string>((resolve, reject) => {
  const timer = setInterval(() => {
    const match = logs.match(/"msg":"listening","url":"([^"]+)"/);
    if (match?.[1]) {
      clearInterval(timer);
      resolve(match[1]);
    }
  }, 20);
  child.once("exit", () => reject(new Error(`simulator exited: ${logs}`)));
});

async function json(pathname: string, body: unknown, method = "POST"): Promise<unknown> {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

const filler = "The gateway translates each request and streams the answer back as it arrives. ".repeat(100);
const answer = Array.from({ length: answerWords }, (_, i) => `word${i}`).join(" ");
await json("/sim/rules", { rules: [{ when: {}, turn: { content: answer } }] }, "PUT");

const bodies = Array.from({ length: streams }, (_, i) => ({
  messages: [{ role: "user", content: `Request ${i}: ${filler}` }],
  stream: true,
}));
const promptTokens = await Promise.all(
  bodies.map(async (body) => ((await json("/tokenize", { messages: body.messages })) as { count: number }).count),
);

interface Sample {
  ttftMs: number;
  gapsMs: number[];
}

// node:http with a keep-alive agent: cheaper per request than fetch, so 200 requests leave the client
// within a few milliseconds and the clock starts when each request is actually written.
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const target = new URL(url);

function run(body: (typeof bodies)[number]): Promise<Sample> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: "/v1/chat/completions",
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let buffer = "";
        let firstAt = 0;
        let lastAt = 0;
        const gapsMs: number[] = [];
        res.setEncoding("utf8");
        res.on("data", (text: string) => {
          buffer += text;
          let end = buffer.indexOf("\n\n");
          while (end !== -1) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            if (!event.includes('"content":"') || event.includes('"content":""')) continue;
            const now = performance.now();
            if (firstAt === 0) firstAt = now;
            else gapsMs.push(now - lastAt);
            lastAt = now;
          }
        });
        res.on("end", () => resolve({ ttftMs: firstAt - started, gapsMs }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    const started = performance.now();
    req.end(payload);
  });
}

// Open the client's keep-alive connections first, as a gateway's pool would have them, so that connection
// setup on a loaded machine is not counted as time to first token.
await Promise.all(
  bodies.map(
    () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: target.hostname, port: target.port, path: "/health", agent }, (res) =>
            res.resume().on("end", resolve),
          )
          .on("error", reject);
      }),
  ),
);

const wallStart = performance.now();
const samples = await Promise.all(bodies.map(run));
const wallMs = performance.now() - wallStart;

const metricsText = await (await fetch(`${url}/metrics`)).text();
const metricValue = (name: string) => Number(metricsText.match(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m"))?.[1]);
const serverTtftMs =
  (metricValue("vllm:time_to_first_token_seconds_sum") / metricValue("vllm:time_to_first_token_seconds_count")) * 1000;

const status = await readFile(`/proc/${child.pid}/status`, "utf8");
const peakRssMb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
agent.destroy();
child.kill("SIGTERM");
await once(child, "exit");

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const configuredTtft = mean(promptTokens.map((tokens) => prefillMs + tokens * ttftMsPerToken));
const ttfts = samples.map((sample) => sample.ttftMs);
const gaps = samples.flatMap((sample) => sample.gapsMs);
const deviation = (measured: number, configured: number) =>
  `${(((measured - configured) / configured) * 100).toFixed(1)} %`;

console.log(
  `vllm-sim bench: ${streams} concurrent streams, ~${Math.round(mean(promptTokens))} prompt tokens, ${answerWords + 1} content chunks each, wall ${(wallMs / 1000).toFixed(2)} s`,
);
console.table({
  "TTFT (ms)": {
    configured: Number(configuredTtft.toFixed(1)),
    "measured mean": Number(mean(ttfts).toFixed(1)),
    "measured p50": Number(percentile(ttfts, 50).toFixed(1)),
    "measured p95": Number(percentile(ttfts, 95).toFixed(1)),
    deviation: deviation(mean(ttfts), configuredTtft),
  },
  "ITL (ms)": {
    configured: itlMs,
    "measured mean": Number(mean(gaps).toFixed(2)),
    "measured p50": Number(percentile(gaps, 50).toFixed(2)),
    "measured p95": Number(percentile(gaps, 95).toFixed(2)),
    deviation: deviation(mean(gaps), itlMs),
  },
});
const ttftOk = Math.abs(mean(ttfts) - configuredTtft) <= 0.2 * configuredTtft;
const itlOk = Math.abs(mean(gaps) - itlMs) <= 0.2 * itlMs;
console.log(`server-side TTFT mean (vllm:time_to_first_token_seconds): ${serverTtftMs.toFixed(1)} ms`);
console.log(
  `peak RSS of the simulator process: ${peakRssMb.toFixed(1)} MB (limit 300 MB) ${peakRssMb < 300 ? "ok" : "OVER"}`,
);
console.log(`TTFT within 20 %: ${ttftOk ? "yes" : "NO"}; ITL within 20 %: ${itlOk ? "yes" : "NO"}`);
