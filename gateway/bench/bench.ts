// `npm run bench` (through scripts/bootstrap.mjs): issue 5's benchmark — a program that prints numbers,
// not a test. It provisions Postgres and Redis as `npm test` does, makes a scratch database with a tenant,
// starts the simulator (zero latency) and every target as its own process in front of it, checks each
// target's answers, then runs the load shapes in rounds, the targets alternated slice by slice, and prints
// one table per shape and issue 5's verdict. See README.md for how to read it.

import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { defaultUsageStreamKeys } from "@perimeter/core";
import { errorMessage } from "@perimeter/runtime";
import { ensurePostgres, ensureRedis, findFreePort, type ProvisionedServer } from "@perimeter/stack";
import { Redis } from "ioredis";
import { request } from "undici";
import type { AnswerFormat } from "./answer-check.ts";
import { logTail, type ProcessSpec, type RunningProcess, startProcess, waitForHttp } from "./bench-processes.ts";
import { markUsageStream, removeBenchData } from "./bench-redis.ts";
import { measureSlice, type SliceMeasure, type TargetName, verdicts } from "./bench-stats.ts";
import { createBenchTenant } from "./bench-tenant.ts";
import { summarizeProfile } from "./cpu-profile.ts";
import { loadBenchConfig } from "./env.ts";
import { GeneratorClient } from "./generator-client.ts";
import type { LoadJob } from "./load-job.ts";
import { type LoadShape, loadShapes, openAiBodyFor, publicModel, servedModel, simRules } from "./load-shapes.ts";
import { clockTicksPerSecond, processRssMb, type Sample, takeSample } from "./process-stats.ts";
import { formatNumber, renderProfile, renderShapeTable, renderVerdicts } from "./report.ts";

const rootDir = path.resolve(import.meta.dirname, "../..");
const gatewayDir = path.join(rootDir, "gateway");
const tsxLoader = import.meta.resolve("tsx");
const config = loadBenchConfig(process.env);
const log = (line: string) => console.log(`[bench] ${line}`);
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// Ctrl-C stops after the slice in progress; everything started is stopped and the scratch data removed.
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${signal}: stopping and cleaning up`);
    interrupt.abort();
  });
}

interface Target {
  name: TargetName;
  origin: string;
  proc: RunningProcess;
  format: AnswerFormat;
}

/** Undone in reverse order at the end, whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];

async function getJson(url: string, init: { method?: "GET" | "PUT"; body?: unknown } = {}): Promise<unknown> {
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

function describeMachine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(2));
  return `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), load average ${load.join(" ")}, Node ${process.version}`;
}

async function main(): Promise<number> {
  const dataDir = path.resolve(rootDir, config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const workDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-bench-"));
  let keepLogs = true;
  cleanups.push(async () => {
    if (keepLogs) log(`process logs kept in ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  });
  const shapes = loadShapes().filter((shape) => config.shapes.includes(shape.name));
  const slicesPlanned = shapes.length * config.targets.length * config.rounds;
  const plannedSeconds =
    slicesPlanned * (config.seconds + config.warmupMs / 1000) + (config.profileShape ? config.profileSeconds + 1 : 0);
  log(`machine: ${describeMachine()}`);
  log(
    `plan: ${shapes.map((shape) => shape.name).join(", ")} × ${config.targets.join(", ")} × ${config.rounds} rounds of ` +
      `${config.seconds} s (+${config.warmupMs} ms warm-up): ${slicesPlanned} slices, about ${Math.ceil(plannedSeconds / 60)} min of load`,
  );

  const provisioned: ProvisionedServer[] = [];
  cleanups.push(async () => {
    for (const server of provisioned.reverse()) await server.stop();
  });
  const postgres = await ensurePostgres({ dataDir, log, env: { DATABASE_URL: config.databaseUrl } });
  provisioned.push(postgres);
  const redisServer = await ensureRedis({ dataDir, log, env: { PATH: config.path, REDIS_URL: config.redisUrl } });
  provisioned.push(redisServer);
  const redis = new Redis(redisServer.url, { connectionName: "perimeter-bench", maxRetriesPerRequest: 1 });
  cleanups.push(() => redis.quit());

  const tenant = await createBenchTenant(postgres.url);
  cleanups.push(async () => {
    await tenant.drop();
    log("scratch database dropped");
  });
  const prefix = `perimeter-bench-${randomBytes(6).toString("hex")}`;
  const mark = await markUsageStream(redis);
  if (mark.groups.length > 0) {
    log(
      `warning: ${defaultUsageStreamKeys.stream} on ${redisServer.url} is read by ${mark.groups.join(", ")}: a worker ` +
        "may ingest the gateway's benchmark events before they are removed; unset REDIS_URL for a private Redis",
    );
  }
  cleanups.push(async () => {
    const removed = await removeBenchData(redis, {
      patterns: [`${prefix}:*`, `perimeter:{${tenant.teamId}}:*`],
      orgId: tenant.orgId,
      mark,
    });
    log(`Redis cleaned: ${removed.keys} keys and ${removed.events} usage events of this run removed`);
  });
  log(`tenant: scratch database, key with ${tenant.limitNames.length} limits: ${tenant.limitNames.join(", ")}`);

  const procs: RunningProcess[] = [];
  cleanups.push(async () => {
    await Promise.all(procs.map((proc) => proc.stop()));
  });
  const spec = (name: string, parts: Omit<ProcessSpec, "name" | "tsxLoader" | "logFile">): ProcessSpec => ({
    name,
    tsxLoader,
    logFile: path.join(workDir, `${name}.log`),
    ...parts,
  });
  const start = (processSpec: ProcessSpec) => {
    const proc = startProcess(processSpec);
    procs.push(proc);
    return proc;
  };

  // The upstream: vLLM's stand-in with zero latency, its own process.
  const simPort = await findFreePort();
  const simOrigin = `http://127.0.0.1:${simPort}`;
  const sim = start(
    spec("vllm-sim", {
      script: "src/main.ts",
      cwd: path.join(rootDir, "packages", "vllm-sim"),
      args: ["--port", String(simPort), "--host", "127.0.0.1", "--served-model-name", servedModel, "--no-latency"],
      env: { PATH: config.path },
    }),
  );
  await waitForHttp(`${simOrigin}/health`, sim);
  await getJson(`${simOrigin}/sim/rules`, { method: "PUT", body: { rules: simRules } });
  const models = (await getJson(`${simOrigin}/v1/models`)) as { data: { id: string; max_model_len: number }[] };
  const maxModelLen = models.data.find((model) => model.id === servedModel)?.max_model_len ?? 163_840;

  const gatewaySpec = async (name: string, nodeFlags: string[] = []) => {
    const port = await findFreePort();
    return {
      port,
      spec: spec(name, {
        script: "src/main.ts",
        cwd: gatewayDir,
        nodeFlags,
        env: {
          PATH: config.path,
          GATEWAY_PORT: String(port),
          GATEWAY_HOST: "127.0.0.1",
          DATABASE_URL: tenant.databaseUrl,
          REDIS_URL: redisServer.url,
          PERIMETER_SECRET: tenant.perimeterSecret,
          VLLM_URL: simOrigin,
          VLLM_MODEL: servedModel,
          GATEWAY_MODEL: publicModel,
        },
      }),
    };
  };
  const targets: Target[] = [];
  for (const name of config.targets) {
    if (name === "direct") {
      targets.push({ name, origin: simOrigin, proc: sim, format: "openai" });
      continue;
    }
    if (name === "gateway") {
      const { port, spec: gatewayProcess } = await gatewaySpec("gateway");
      const proc = start(gatewayProcess);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, proc);
      targets.push({ name, origin: `http://127.0.0.1:${port}`, proc, format: "anthropic" });
      continue;
    }
    const port = await findFreePort();
    const mode = name.replace(/^bare-/, "");
    const proc = start(
      spec(name, {
        script: "bench/reference-proxy.ts",
        cwd: gatewayDir,
        args: [
          ...["--mode", mode, "--port", String(port), "--upstream", simOrigin],
          ...(mode === "json-redis" ? ["--redis", redisServer.url, "--prefix", prefix] : []),
        ],
        env: { PATH: config.path },
      }),
    );
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc);
    targets.push({ name, origin: `http://127.0.0.1:${port}`, proc, format: "openai" });
  }
  const generatorProc = start(
    spec("load-generator", {
      script: path.join(import.meta.dirname, "load-generator.ts"),
      cwd: gatewayDir,
      env: { PATH: config.path },
      ipc: true,
    }),
  );
  const generator = new GeneratorClient(generatorProc);
  log(
    `started: vllm-sim (pid ${sim.pid}), ${targets
      .filter((t) => t.name !== "direct")
      .map((t) => `${t.name} (pid ${t.proc.pid})`)
      .join(", ")}`,
  );

  const openAiBodies = new Map(
    shapes.map((shape) => [shape.name, JSON.stringify(openAiBodyFor(shape.anthropicBody, maxModelLen))]),
  );
  const jobFor = (target: Target, shape: LoadShape, timing: { warmupMs: number; durationMs: number }): LoadJob => {
    const gateway = target.format === "anthropic";
    return {
      origin: target.origin,
      path: gateway ? "/v1/messages?beta=true" : "/v1/chat/completions",
      headers: gateway ? { ...shape.headers, "x-api-key": tenant.token } : shape.headers,
      body: gateway ? JSON.stringify(shape.anthropicBody) : (openAiBodies.get(shape.name) as string),
      connections: shape.connections,
      ...timing,
      expect: {
        format: target.format,
        stream: shape.stream,
        ...(shape.textChunks ? { textChunks: shape.textChunks } : {}),
      },
    };
  };

  // Every target must answer every shape correctly before anything is measured.
  for (const shape of shapes) {
    for (const target of targets) {
      const answer = await generator.probe(jobFor(target, shape, { warmupMs: 0, durationMs: 0 }));
      if (answer.problem) {
        throw new Error(
          `${target.name} answers the ${shape.name} shape wrongly (${answer.problem}): ${answer.body.slice(0, 300)}\n${logTail(target.proc)}`,
        );
      }
      if (target.name === "gateway" && answer.headers["anthropic-ratelimit-requests-limit"] === undefined) {
        throw new Error("the gateway answered without anthropic-ratelimit-* headers: admission did not run");
      }
    }
  }
  const [, teamKeys] = await redis.scan("0", "MATCH", `perimeter:{${tenant.teamId}}:*`, "COUNT", 10_000);
  log(
    `answers checked: every target answers every shape correctly; admission keeps ${teamKeys.length}+ Redis keys for the team`,
  );

  const slices: SliceMeasure[] = [];
  const timing = { warmupMs: config.warmupMs, durationMs: config.seconds * 1000 };
  const runSlice = async (target: Target, shape: LoadShape, round: number): Promise<SliceMeasure> => {
    const pids: Record<string, number> = { sim: sim.pid, client: generatorProc.pid };
    if (target.proc !== sim) pids.target = target.proc.pid;
    let startSample: Promise<Sample> | undefined;
    let endSample: Promise<Sample> | undefined;
    let rssMb: number | undefined;
    const result = await generator.run(jobFor(target, shape, timing), (edge) => {
      if (edge === "start") startSample = takeSample(pids, redis);
      else {
        endSample = takeSample(pids, redis);
        rssMb = processRssMb(target.proc.pid);
      }
    });
    if (!startSample || !endSample) throw new Error("the load generator did not report its window");
    if (target.proc.exit) throw new Error(`${target.name} exited during the run:\n${logTail(target.proc)}`);
    return measureSlice({
      target: target.name,
      shape: shape.name,
      round,
      result,
      start: await startSample,
      end: await endSample,
      rssMb,
      processes: { target: target.proc === sim ? "sim" : "target", sim: "sim", client: "client" },
      clockTicksPerSecond,
    });
  };

  let done = 0;
  for (const shape of shapes) {
    for (let round = 1; round <= config.rounds; round++) {
      // Each round starts one target later, so no target always runs first or after the same neighbour.
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
      for (const target of order) {
        if (interrupt.signal.aborted) return 130;
        const slice = await runSlice(target, shape, round);
        slices.push(slice);
        done++;
        log(
          `${String(done).padStart(3)}/${slicesPlanned} ${shape.name.padEnd(6)} r${round} ${target.name.padEnd(15)} ` +
            `${formatNumber(slice.rps, 0).padStart(6)} rps  p50 ${formatNumber(slice.p50Ms, 3)} ms  p99 ${formatNumber(slice.p99Ms, 3)} ms` +
            `${shape.ttfb ? `  ttfb p50 ${formatNumber(slice.ttfbP50Ms, 3)} ms` : ""}  cpu ${formatNumber(slice.cpuUsPerRequest, 0)} µs/req` +
            `  client ${formatNumber(slice.clientCpuPct, 0)}%  steal ${formatNumber(slice.stealPct, 1)}%  others ${formatNumber(slice.othersPct, 1)}%` +
            `  errors ${slice.errors}`,
        );
      }
    }
  }

  if (slices.length > 0) {
    console.log("");
    console.log(`## Perimeter gateway benchmark, ${new Date().toISOString()}`);
    console.log("");
    console.log(`machine at the end: ${describeMachine()}`);
    console.log(
      `method: vllm-sim --no-latency behind every target; closed-loop undici client in its own process; ` +
        `${config.rounds} rounds × ${config.seconds} s per target and shape (+${config.warmupMs} ms warm-up), targets alternated; ` +
        `medians over rounds; ratios and deltas paired per round. Gateway key checks ${tenant.limitNames.length} limits per request.`,
    );
    for (const shape of shapes) {
      console.log("");
      console.log(renderShapeTable(shape, slices, config.targets));
    }
    console.log("");
    console.log(renderVerdicts(verdicts(slices)));
    console.log("");
  }

  if (config.profileShape) {
    const shape = loadShapes().find((candidate) => candidate.name === config.profileShape) as LoadShape;
    for (const target of targets.filter((candidate) => candidate.proc !== sim)) await target.proc.stop();
    const profileDir = path.join(workDir, "cpu-prof");
    const { port, spec: profiled } = await gatewaySpec("gateway-profiled", [
      "--cpu-prof",
      `--cpu-prof-dir=${profileDir}`,
    ]);
    const proc = start(profiled);
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/readyz`, proc);
    log(`profiling the gateway (pid ${proc.pid}) under node --cpu-prof: ${shape.name} for ${config.profileSeconds} s`);
    let window: { startMicros: number; endMicros: number } = { startMicros: 0, endMicros: Number.POSITIVE_INFINITY };
    const hrMicros = () => Number(process.hrtime.bigint() / 1000n);
    const job = jobFor({ name: "gateway", origin, proc, format: "anthropic" }, shape, {
      warmupMs: 1_000,
      durationMs: config.profileSeconds * 1000,
    });
    const result = await generator.run(job, (edge) => {
      if (edge === "start") window = { ...window, startMicros: hrMicros() };
      else window = { ...window, endMicros: hrMicros() };
    });
    await proc.stop();
    const file = (await readdir(profileDir)).find((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`the profiled gateway wrote no .cpuprofile:\n${logTail(proc)}`);
    const kept = path.join(dataDir, `gateway-${shape.name}.cpuprofile`);
    await copyFile(path.join(profileDir, file), kept);
    const profile = JSON.parse(await readFile(kept, "utf8"));
    const summary = summarizeProfile(profile, `${pathToFileURL(rootDir).href}/`, { window });
    console.log(
      renderProfile(
        `gateway CPU profile: ${shape.name}, ${result.completed} answers in ${config.profileSeconds} s ` +
          `(${formatNumber(result.completed / config.profileSeconds, 0)} rps under the profiler, ${result.errors} errors)`,
        summary,
        result.completed,
      ),
    );
    console.log("");
    console.log(`profile kept in ${path.relative(rootDir, kept)} (open it in Chrome DevTools › Performance)`);
    console.log("");
  }
  keepLogs = false;
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`bench: ${errorMessage(error)}`);
} finally {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => console.error(`bench: cleanup failed: ${errorMessage(error)}`));
  }
}
process.exit(code);
