import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  createDeployment,
  ensureBuiltinModels,
  isRoutable,
  type ReplicaEntry,
  readDeploymentReplicas,
  replicaTableKeys,
  scaleDeployment,
  updateDeployment,
  usageEventMessageSchema,
} from "@perimeter/core";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { type SpawnedService, spawnService } from "@perimeter/runtime/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

// The whole deployment path as production runs it: a worker process reconciles a simulator deployment
// (spawning vllm-sim processes that keep their port closed while "loading"), publishes the replica table,
// and the gateway routes real requests by it. A database and a Redis database of their own, so nothing
// else's deployments or replicas are in the way.
const workerRoot = path.resolve(import.meta.dirname, "..", "..", "..", "worker");
const keys = replicaTableKeys();

let scratch: ScratchDatabase;
let runDir: string;
let redisUrl: string;
let worker: SpawnedService;
let gateway: TestGateway;
let deploymentId: string;

const row = () => gateway.services.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
const table = () => readDeploymentReplicas(gateway.services.redis, keys, deploymentId, Date.now());

async function waitFor<T>(what: string, check: () => Promise<T | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the deployment is Ready at its generation with `count` routable replicas and nothing else. */
function readyWith(count: number): Promise<ReplicaEntry[]> {
  return waitFor(`${count} ready replica(s)`, async () => {
    const deployment = await row();
    const entries = await table();
    const settled = deployment.phase === "ready" && deployment.observedGeneration === deployment.generation;
    return settled && entries.length === count && entries.every((entry) => isRoutable(entry, Date.now())) && entries;
  });
}

/** Sends requests in `lanes` parallel loops until stopped; records each status and when it started. */
function steadyLoad(lanes: number) {
  const results: { status: number; startedAt: number; requestId: string | null }[] = [];
  let running = true;
  const loops = Array.from({ length: lanes }, async () => {
    while (running) {
      const startedAt = Date.now();
      const res = await post(gateway.url, "/v1/messages", userTurn("steady", { max_tokens: 8 }), {
        token: gateway.token,
      });
      await res.text();
      results.push({ status: res.status, startedAt, requestId: res.headers.get("request-id") });
    }
  });
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

/** The replica each metered request went to, by request id. */
async function servedBy(): Promise<Map<string, string | null>> {
  const entries = await gateway.services.redis.xrange(gateway.usageKeys.stream, "-", "+");
  const map = new Map<string, string | null>();
  for (const [, fields] of entries) {
    const event = usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}"));
    map.set(event.requestId, event.replicaId);
  }
  return map;
}

beforeAll(async () => {
  scratch = await createScratchDatabase(inject("postgresServerUrl"), "perimeter_routing");
  await migrate(scratch.url);
  runDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-routing-"));
  const redis = new URL(inject("redisUrl"));
  redis.pathname = "/10";
  redisUrl = redis.toString();
  gateway = await startTestGateway({ databaseUrl: scratch.url, redisUrl });
  await gateway.services.redis.flushdb();
  worker = spawnService({
    cwd: workerRoot,
    env: {
      WORKER_PORT: "0",
      WORKER_HOST: "127.0.0.1",
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl,
      DEPLOY_POLL_INTERVAL_MS: "150",
      DEPLOY_PROBE_TIMEOUT_MS: "1000",
      DEPLOY_SIMULATOR_RUN_DIR: runDir,
      PERIMETER_EXPORT_DIR: path.join(runDir, "exports"),
    },
  });
  await worker.listening();
  const ctx = gateway.ctx;
  const { created } = await ensureBuiltinModels(ctx);
  const model = created[0] ?? (await gateway.services.db.model.findFirstOrThrow({ where: { orgId: ctx.orgId } }));
  const deployment = await createDeployment(ctx, {
    name: "coder",
    modelId: model.id,
    driver: "simulator",
    replicas: 1,
    spec: { simulator: { startupMs: 1_500, noLatency: true }, preStopSec: 0, drainTimeoutSec: 1 },
  });
  if (!deployment.ok) throw new Error(deployment.code);
  deploymentId = deployment.deployment.id;
}, 60_000);

afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.exit;
  // Simulator replicas outlive their worker by design; the test's are stopped here.
  for (const dir of await readdir(runDir).catch(() => [])) {
    for (const file of await readdir(path.join(runDir, dir)).catch(() => [])) {
      if (!file.endsWith(".json")) continue;
      const record = JSON.parse(await readFile(path.join(runDir, dir, file), "utf8")) as { pid: number };
      try {
        process.kill(record.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await rm(runDir, { recursive: true, force: true });
  await gateway?.services.redis.flushdb().catch(() => {});
  await gateway?.stop();
  await scratch?.drop();
}, 60_000);

describe("a simulator deployment behind the gateway", () => {
  it("goes Pending → Loading → Ready, is a 529 while loading, then serves through the gateway", async () => {
    const phases: string[] = [];
    let sawLoadingAnswer: number | undefined;
    await waitFor("Ready", async () => {
      const { phase } = await row();
      if (phases.at(-1) !== phase) phases.push(phase);
      if (phase === "loading" && sawLoadingAnswer === undefined) {
        const res = await post(gateway.url, "/v1/messages", userTurn("too early"), { token: gateway.token });
        await res.text();
        // Only an answer given while the deployment is still loading counts (a slow machine can see the
        // replica become ready between reading the phase and answering).
        if ((await row()).phase === "loading") sawLoadingAnswer = res.status;
      }
      return phase === "ready" && phase;
    });
    expect(phases[0]).toMatch(/^(pending|provisioning|loading)$/);
    expect(phases).toContain("loading");
    expect(phases.at(-1)).toBe("ready");
    expect(sawLoadingAnswer).toBe(529);
    // The worker records the phase before it publishes the replica table, and the gateway learns the table
    // over pub/sub: Ready in the database comes a moment before the gateway can route to the replica.
    await waitFor(
      "the gateway to see the ready replica",
      async () => gateway.services.router.resolve(gateway.ctx.orgId, "umans-coder-v0", null).ok,
    );
    const res = await post(gateway.url, "/v1/messages", userTurn("hello"), { token: gateway.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: "message", model: "umans-coder-v0" });
  });

  it("scales 1 → 3 → 1 under steady load without a failed request, spreading it over the replicas", async () => {
    await readyWith(1);
    const load = steadyLoad(4);
    await scaleDeployment(gateway.ctx, { deploymentId, replicas: 3 });
    const three = await readyWith(3);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await scaleDeployment(gateway.ctx, { deploymentId, replicas: 1 });
    await readyWith(1);
    const results = await load.stop();
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    const replicas = await waitFor("the events to be metered", async () => {
      const served = await servedBy();
      return results.every((result) => result.requestId && served.has(result.requestId)) && served;
    });
    const used = new Set(results.map((result) => replicas.get(result.requestId ?? "")));
    for (const entry of three) expect(used.has(entry.replica)).toBe(true);
  });

  it("rolls replicas on a spec change without a failed request or traffic to a draining one", async () => {
    const before = await readyWith(1);
    const load = steadyLoad(3);
    const drainingSince = new Map<string, number>();
    const sampling = (async () => {
      for (let i = 0; i < 400; i++) {
        for (const entry of await table()) {
          if (entry.state === "draining" && !drainingSince.has(entry.replica))
            drainingSince.set(entry.replica, Date.now());
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (
          (await row()).observedGeneration === (await row()).generation &&
          drainingSince.size > 0 &&
          (await table()).length === 1
        )
          break;
      }
    })();
    await updateDeployment(gateway.ctx, {
      deploymentId,
      spec: { simulator: { startupMs: 1_000, noLatency: true }, preStopSec: 0, drainTimeoutSec: 1 },
    });
    const after = await readyWith(1);
    await sampling;
    const results = await load.stop();
    expect(after[0]?.replica).not.toBe(before[0]?.replica);
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    const served = await waitFor("the events to be metered", async () => {
      const map = await servedBy();
      return results.every((result) => result.requestId && map.has(result.requestId)) && map;
    });
    // A request may only start on a replica the gateway still had as ready: at most a notification's trip
    // after the worker marked it draining.
    const old = before[0]?.replica ?? "";
    const drainedAt = drainingSince.get(old);
    expect(drainedAt).toBeDefined();
    const late = results.filter(
      (result) => served.get(result.requestId ?? "") === old && result.startedAt > (drainedAt ?? 0) + 250,
    );
    expect(late).toEqual([]);
  });

  it("marks a killed replica unready within 5 s, and traffic moves to the others without failing", async () => {
    await scaleDeployment(gateway.ctx, { deploymentId, replicas: 3 });
    const entries = await readyWith(3);
    const victim = entries[1] as ReplicaEntry;
    const record = JSON.parse(await readFile(path.join(runDir, deploymentId, `${victim.replica}.json`), "utf8")) as {
      pid: number;
    };
    const load = steadyLoad(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const killedAt = Date.now();
    process.kill(record.pid, "SIGKILL");
    const unreadyAfterMs = await waitFor(
      "the killed replica to leave routing",
      async () => {
        const entry = (await table()).find((candidate) => candidate.replica === victim.replica);
        return (!entry || !isRoutable(entry, Date.now())) && Date.now() - killedAt;
      },
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const results = await load.stop();
    expect(unreadyAfterMs).toBeLessThan(5_000);
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    const served = await waitFor("the events to be metered", async () => {
      const map = await servedBy();
      return results.every((result) => result.requestId && map.has(result.requestId)) && map;
    });
    const afterwards = results.filter((result) => result.startedAt > killedAt + unreadyAfterMs);
    expect(afterwards.length).toBeGreaterThan(0);
    expect(afterwards.filter((result) => served.get(result.requestId ?? "") === victim.replica)).toEqual([]);
  });
});
