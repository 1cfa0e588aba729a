// The processes under measurement: vllm-sim with zero latency, then each target in front of it — the
// reference proxies and the gateway's real `src/main.ts` — and the load generator, each its own process.

import path from "node:path";
import { findFreePort } from "@perimeter/stack";
import { request } from "undici";
import type { AnswerFormat } from "./answer-check.ts";
import { type ProcessSpec, type RunningProcess, startProcess, waitForHttp } from "./bench-processes.ts";
import type { TargetName } from "./bench-stats.ts";
import type { BenchTenant } from "./bench-tenant.ts";
import { publicModel, servedModel, simRules } from "./load-shapes.ts";

export interface Target {
  name: TargetName;
  origin: string;
  proc: RunningProcess;
  format: AnswerFormat;
}

/** What every process of a run shares. */
export interface RunSetup {
  rootDir: string;
  /** Where the processes' logs go. */
  workDir: string;
  path: string;
  redisUrl: string;
  tenant: BenchTenant;
  /** Prefix of the reference proxy's Redis keys. */
  redisPrefix: string;
}

async function json(url: string, init: { method?: "GET" | "PUT"; body?: unknown } = {}): Promise<unknown> {
  const reply = await request(url, {
    method: init.method ?? "GET",
    ...(init.body === undefined
      ? {}
      : { body: JSON.stringify(init.body), headers: { "content-type": "application/json" } }),
  });
  const text = await reply.body.text();
  if (reply.statusCode !== 200) throw new Error(`${url} answered ${reply.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Starts and tracks the run's processes; `stopAll` ends every one still running. */
export class RunProcesses {
  private readonly procs: RunningProcess[] = [];
  private readonly tsxLoader = import.meta.resolve("tsx");
  private readonly gatewayDir: string;

  constructor(private readonly setup: RunSetup) {
    this.gatewayDir = path.join(setup.rootDir, "gateway");
  }

  private start(name: string, parts: Omit<ProcessSpec, "name" | "tsxLoader" | "logFile" | "env">, env = {}) {
    const spec: ProcessSpec = {
      name,
      tsxLoader: this.tsxLoader,
      logFile: path.join(this.setup.workDir, `${name}.log`),
      env: { PATH: this.setup.path, ...env },
      ...parts,
    };
    const proc = startProcess(spec);
    this.procs.push(proc);
    return proc;
  }

  /** vllm-sim answering at once, with the stream shapes' rules; resolves with it and its context window. */
  async startSim(): Promise<{ target: Target; maxModelLen: number }> {
    const port = await findFreePort();
    const origin = `http://127.0.0.1:${port}`;
    const proc = this.start("vllm-sim", {
      script: "src/main.ts",
      cwd: path.join(this.setup.rootDir, "packages", "vllm-sim"),
      args: ["--port", String(port), "--host", "127.0.0.1", "--served-model-name", servedModel, "--no-latency"],
    });
    await waitForHttp(`${origin}/health`, proc);
    await json(`${origin}/sim/rules`, { method: "PUT", body: { rules: simRules } });
    const models = (await json(`${origin}/v1/models`)) as { data: { id: string; max_model_len: number }[] };
    const maxModelLen = models.data.find((model) => model.id === servedModel)?.max_model_len ?? 163_840;
    return { target: { name: "direct", origin, proc, format: "openai" }, maxModelLen };
  }

  /** The gateway's own entry point with the tenant's secret, in front of `upstream`; `nodeFlags` e.g. --cpu-prof. */
  async startGateway(upstream: string, name = "gateway", nodeFlags: string[] = []): Promise<Target> {
    const port = await findFreePort();
    const origin = `http://127.0.0.1:${port}`;
    const proc = this.start(
      name,
      { script: "src/main.ts", cwd: this.gatewayDir, nodeFlags },
      {
        GATEWAY_PORT: String(port),
        GATEWAY_HOST: "127.0.0.1",
        DATABASE_URL: this.setup.tenant.databaseUrl,
        REDIS_URL: this.setup.redisUrl,
        PERIMETER_SECRET: this.setup.tenant.perimeterSecret,
        VLLM_URL: upstream,
        VLLM_MODEL: servedModel,
        GATEWAY_MODEL: publicModel,
      },
    );
    await waitForHttp(`${origin}/readyz`, proc);
    return { name: "gateway", origin, proc, format: "anthropic" };
  }

  /** A reference proxy (`bare-pipe`, `bare-json`, `bare-json-redis`) in front of `upstream`. */
  async startReference(name: TargetName, upstream: string): Promise<Target> {
    const port = await findFreePort();
    const mode = name.replace(/^bare-/, "");
    const proc = this.start(name, {
      script: "bench/reference-proxy.ts",
      cwd: this.gatewayDir,
      args: [
        ...["--mode", mode, "--port", String(port), "--upstream", upstream],
        ...(mode === "json-redis" ? ["--redis", this.setup.redisUrl, "--prefix", this.setup.redisPrefix] : []),
      ],
    });
    // Proxied to vllm-sim: the whole path answers.
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc);
    return { name, origin: `http://127.0.0.1:${port}`, proc, format: "openai" };
  }

  startGenerator(): RunningProcess {
    return this.start("load-generator", {
      script: path.join(import.meta.dirname, "load-generator.ts"),
      cwd: this.gatewayDir,
      ipc: true,
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((proc) => proc.stop()));
  }
}
