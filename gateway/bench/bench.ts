// `npm run bench` (through scripts/bootstrap.mjs): issue 5's benchmark — a program that prints numbers,
// not a test. It provisions Postgres and Redis as `npm test` does, makes a scratch database with a tenant,
// starts the simulator (zero latency) and every target as its own process in front of it, checks each
// target's answers, then runs the load shapes in rounds, the targets alternated slice by slice, and prints
// one table per shape and issue 5's verdict. See README.md for how to read it.

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defaultUsageStreamKeys } from "@perimeter/core";
import { errorMessage } from "@perimeter/runtime";
import { ensurePostgres, ensureRedis, type ProvisionedServer } from "@perimeter/stack";
import { Redis } from "ioredis";
import { logTail } from "./bench-processes.ts";
import { markUsageStream, removeBenchData } from "./bench-redis.ts";
import { measureSlice, type SliceMeasure } from "./bench-stats.ts";
import { RunProcesses, type Target } from "./bench-targets.ts";
import { type BenchTenant, createBenchTenant } from "./bench-tenant.ts";
import { type BenchConfig, loadBenchConfig } from "./env.ts";
import { GeneratorClient } from "./generator-client.ts";
import type { LoadJob } from "./load-job.ts";
import { type LoadShape, loadShapes, openAiBodyFor } from "./load-shapes.ts";
import { clockTicksPerSecond, processRssMb, type Sample, takeSample } from "./process-stats.ts";
import { profileGateway } from "./profile-gateway.ts";
import { formatNumber, renderShapeTable, renderVerdicts } from "./report.ts";
import { verdicts } from "./verdicts.ts";

const rootDir = path.resolve(import.meta.dirname, "../..");
const config = loadBenchConfig(process.env);
const log = (line: string) => console.log(`[bench] ${line}`);
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// A signal stops the run before the next slice; whatever was started is stopped and the scratch data removed.
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${signal}: stopping and cleaning up`);
    interrupt.abort();
  });
}

/** Undone in reverse order at the end, whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];

function describeMachine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(2));
  return `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), load average ${load.join(" ")}, Node ${process.version}`;
}

/** What each target gets for a shape: the Anthropic body and the key for the gateway, the OpenAI body for the rest. */
function jobBuilder(config: BenchConfig, tenant: BenchTenant, shapes: LoadShape[], maxModelLen: number) {
  const openAi = new Map(
    shapes.map((shape) => [shape.name, JSON.stringify(openAiBodyFor(shape.anthropicBody, maxModelLen))]),
  );
  return (
    target: Target,
    shape: LoadShape,
    timing = { warmupMs: config.warmupMs, durationMs: config.seconds * 1000 },
  ): LoadJob => {
    const gateway = target.format === "anthropic";
    return {
      origin: target.origin,
      path: gateway ? "/v1/messages?beta=true" : "/v1/chat/completions",
      headers: gateway ? { ...shape.headers, "x-api-key": tenant.token } : shape.headers,
      body: gateway ? JSON.stringify(shape.anthropicBody) : (openAi.get(shape.name) as string),
      connections: shape.connections,
      ...timing,
      expect: {
        format: target.format,
        stream: shape.stream,
        ...(shape.textChunks ? { textChunks: shape.textChunks } : {}),
      },
    };
  };
}

/** Provisions the servers and the tenant; registers their removal. */
async function provision(dataDir: string) {
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
  const redisPrefix = `perimeter-bench-${randomBytes(6).toString("hex")}`;
  const mark = await markUsageStream(redis);
  if (mark.groups.length > 0) {
    log(
      `warning: ${defaultUsageStreamKeys.stream} on ${redisServer.url} is read by ${mark.groups.join(", ")}: a worker ` +
        "may ingest the gateway's benchmark events before they are removed; unset REDIS_URL for a private Redis",
    );
  }
  cleanups.push(async () => {
    const patterns = [`${redisPrefix}:*`, `perimeter:{${tenant.teamId}}:*`];
    const removed = await removeBenchData(redis, { patterns, orgId: tenant.orgId, mark });
    log(`Redis cleaned: ${removed.keys} keys and ${removed.events} usage events of this run removed`);
  });
  log(`tenant: scratch database, key with ${tenant.limitNames.length} limits: ${tenant.limitNames.join(", ")}`);
  return { redis, redisUrl: redisServer.url, tenant, redisPrefix };
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
  const prewarmSeconds = config.rounds > 0 ? shapes.length * config.targets.length * config.prewarmSeconds : 0;
  const loadSeconds =
    slicesPlanned * (config.seconds + config.warmupMs / 1000) +
    prewarmSeconds +
    (config.profileShape ? config.profileSeconds + 1 : 0);
  log(`machine: ${describeMachine()}`);
  log(
    `plan: ${shapes.map((shape) => shape.name).join(", ")} × ${config.targets.join(", ")} × ${config.rounds} rounds of ` +
      `${config.seconds} s (+${config.warmupMs} ms warm-up), after ${config.prewarmSeconds} s of each shape per target unmeasured: ` +
      `${slicesPlanned} slices, about ${Math.ceil(loadSeconds / 60)} min of load`,
  );

  const { redis, redisUrl, tenant, redisPrefix } = await provision(dataDir);
  const processes = new RunProcesses({ rootDir, workDir, path: config.path, redisUrl, tenant, redisPrefix });
  cleanups.push(() => processes.stopAll());
  const { target: direct, maxModelLen } = await processes.startSim();
  const sim = direct.proc;
  const targets: Target[] = [];
  for (const name of config.targets) {
    if (name === "direct") targets.push(direct);
    else if (name === "gateway") targets.push(await processes.startGateway(direct.origin));
    else targets.push(await processes.startReference(name, direct.origin));
  }
  const generatorProc = processes.startGenerator();
  const generator = new GeneratorClient(generatorProc);
  const started = targets
    .filter((target) => target !== direct)
    .map((target) => `${target.name} (pid ${target.proc.pid})`);
  log(`started: vllm-sim (pid ${sim.pid}), ${started.join(", ")}`);
  const jobFor = jobBuilder(config, tenant, shapes, maxModelLen);

  // Every target must answer every shape correctly before anything is measured.
  for (const shape of shapes) {
    for (const target of targets) {
      const answer = await generator.probe(jobFor(target, shape, { warmupMs: 0, durationMs: 0 }));
      if (answer.problem) {
        const body = answer.body.slice(0, 300);
        throw new Error(
          `${target.name} answers ${shape.name} wrongly (${answer.problem}): ${body}\n${logTail(target.proc)}`,
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

  const runSlice = async (target: Target, shape: LoadShape, round: number): Promise<SliceMeasure> => {
    const pids: Record<string, number> = { sim: sim.pid, client: generatorProc.pid };
    if (target.proc !== sim) pids.target = target.proc.pid;
    let startSample: Promise<Sample> | undefined;
    let endSample: Promise<Sample> | undefined;
    let rssMb: number | undefined;
    const result = await generator.run(jobFor(target, shape), (edge) => {
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

  const slices: SliceMeasure[] = [];
  for (const shape of shapes) {
    if (config.rounds > 0 && config.prewarmSeconds > 0) {
      for (const target of targets) {
        if (interrupt.signal.aborted) return 130;
        const prewarm = await generator.run(
          jobFor(target, shape, { warmupMs: config.prewarmSeconds * 1000, durationMs: 1 }),
          () => {},
        );
        log(
          `prewarm ${shape.name.padEnd(6)} ${target.name.padEnd(15)} ${config.prewarmSeconds} s, errors ${prewarm.errors}`,
        );
      }
    }
    for (let round = 1; round <= config.rounds; round++) {
      // Each round starts one target later, so no target always runs first or after the same neighbour.
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
      for (const target of order) {
        if (interrupt.signal.aborted) return 130;
        const slice = await runSlice(target, shape, round);
        slices.push(slice);
        log(
          `${String(slices.length).padStart(3)}/${slicesPlanned} ${shape.name.padEnd(6)} r${round} ${target.name.padEnd(15)} ` +
            `${formatNumber(slice.rps, 0).padStart(6)} rps  p50 ${formatNumber(slice.p50Ms, 3)} ms  p99 ${formatNumber(slice.p99Ms, 3)} ms` +
            `${shape.ttfb ? `  ttfb p50 ${formatNumber(slice.ttfbP50Ms, 3)} ms` : ""}  cpu ${formatNumber(slice.cpuUsPerRequest, 0)} µs/req` +
            `  client ${formatNumber(slice.clientCpuPct, 0)}%  steal ${formatNumber(slice.stealPct, 1)}%  others ${formatNumber(slice.othersPct, 1)}%` +
            `  errors ${slice.errors}`,
        );
      }
    }
  }

  if (slices.length > 0) {
    console.log(`\n## Perimeter gateway benchmark, ${new Date().toISOString()}\n`);
    console.log(`machine at the end: ${describeMachine()}`);
    console.log(
      `method: vllm-sim --no-latency behind every target; closed-loop undici client in its own process; ` +
        `${config.prewarmSeconds} s of each shape per target unmeasured, then ` +
        `${config.rounds} rounds × ${config.seconds} s per target and shape (+${config.warmupMs} ms warm-up), targets alternated; ` +
        `medians over rounds; ratios and deltas paired per round. Gateway key checks ${tenant.limitNames.length} limits per request.`,
    );
    for (const shape of shapes) console.log(`\n${renderShapeTable(shape, slices, config.targets)}`);
    console.log(`\n${renderVerdicts(verdicts(slices))}\n`);
  }

  if (config.profileShape && !interrupt.signal.aborted) {
    const shape = loadShapes().find((candidate) => candidate.name === config.profileShape) as LoadShape;
    // The profiled gateway gets the machine to itself and the simulator.
    for (const target of targets) if (target !== direct) await target.proc.stop();
    const printed = await profileGateway({
      processes,
      generator,
      upstream: direct.origin,
      shape,
      seconds: config.profileSeconds,
      jobFor,
      rootDir,
      workDir,
      dataDir,
      log,
    });
    console.log(`${printed}\n`);
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
