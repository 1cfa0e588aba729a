import {
  deleteDeployment,
  isRoutable,
  type ReplicaEntry,
  readDeploymentReplicas,
  replicaTableKeys,
  scaleDeployment,
  setDeploymentState,
  updateDeployment,
} from "@perimeter/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Deployments, startDeployments } from "../queues/deployments.ts";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import type { DeploymentsEnvConfig } from "./deployments-env.ts";
import { createSimulatorDriver } from "./simulator-driver.ts";
import {
  createCatalogTenant,
  createTestDeployment,
  dropTestKeys,
  removeSimulatorReplicas,
  simulatorPids,
  simulatorRunDir,
  testDeploymentsConfig,
  waitFor,
} from "./testing/deployment-fixtures.ts";

// The whole lifecycle against real Postgres, Redis, BullMQ and vllm-sim processes: every pass of the
// reconciler runs as the production queue runs it.
describe("simulator deployments", () => {
  let services: WorkerServices;
  let config: DeploymentsEnvConfig;
  let deployments: Deployments;
  let tenant: Awaited<ReturnType<typeof createCatalogTenant>>;
  let deploymentId: string;
  const startupMs = 1_200;

  const keys = () => replicaTableKeys(services.replicaTablePrefix);
  const table = () => readDeploymentReplicas(services.redis, keys(), deploymentId, Date.now());
  const row = () => services.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  /** Resolves once the deployment is Ready at its current generation with `count` routable replicas. */
  const readyWith = (count: number) =>
    waitFor(`${count} ready replica(s)`, async () => {
      const deployment = await row();
      const entries = await table();
      const routable = entries.filter((entry) => isRoutable(entry, Date.now()));
      const settled = deployment.phase === "ready" && deployment.observedGeneration === deployment.generation;
      return settled && routable.length === count && entries.length === count && entries;
    });
  /** Samples the replica table until `done` holds, keeping every sample. */
  async function sampleUntil(done: () => Promise<boolean>): Promise<ReplicaEntry[][]> {
    const samples: ReplicaEntry[][] = [];
    await waitFor("the change to settle", async () => {
      samples.push(await table());
      return done();
    });
    return samples;
  }

  beforeAll(async () => {
    services = createTestServices();
    config = testDeploymentsConfig(150, await simulatorRunDir());
    const driver = createSimulatorDriver({
      simulatorBin: config.simulator.bin,
      runDir: config.simulator.runDir,
      path: config.simulator.path,
    });
    deployments = await startDeployments(services, () => driver, config);
    tenant = await createCatalogTenant(services.db);
    deploymentId = await createTestDeployment(tenant, {
      name: "coder",
      driver: "simulator",
      spec: { simulator: { startupMs, noLatency: true }, preStopSec: 0, drainTimeoutSec: 1 },
    });
  });

  afterAll(async () => {
    await deployments.queue.obliterate({ force: true });
    await deployments.close();
    await removeSimulatorReplicas(config.simulator.runDir);
    await dropTestKeys(services);
    await closeServices(services);
  });

  it("goes Pending → Loading → Ready, publishing the replica only once it serves", async () => {
    await deployments.requestReconcile(deploymentId);
    const [entry] = await readyWith(1);
    expect(entry).toMatchObject({
      orgId: tenant.ctx.orgId,
      model: { publicName: "umans-coder-v0", servedName: "umans-coder" },
      state: "ready",
      endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      maxModelLen: expect.any(Number),
    });
    const events = await services.db.auditEvent.findMany({
      where: { targetId: deploymentId, action: "deployment.phase" },
      orderBy: { seq: "asc" },
    });
    const phases = [
      (events[0]?.before as { phase?: string } | undefined)?.phase,
      ...events.map((event) => (event.after as { phase: string }).phase),
    ];
    expect(phases).toEqual(["pending", "loading", "ready"]);

    // A simulator with /metrics is the one that keeps its port closed for --startup-ms, like vLLM;
    // then Ready cannot come earlier than that after the process started.
    const hasMetrics = (await fetch(`${entry?.endpoint}/metrics`)).status === 200;
    if (hasMetrics) {
      const replica = await services.db.deploymentReplica.findFirstOrThrow({ where: { deploymentId } });
      const readyAt = events.at(-1)?.occurredAt.getTime() ?? 0;
      expect(readyAt - (replica.startedAt?.getTime() ?? readyAt)).toBeGreaterThanOrEqual(startupMs);
    }
  });

  it("scales 1 → 3 → 1 without ever leaving zero routable replicas", async () => {
    expect(await scaleDeployment(tenant.ctx, { deploymentId, replicas: 3 })).toMatchObject({ changed: true });
    const up = await sampleUntil(async () => (await readyWith(3).catch(() => undefined)) !== undefined);
    expect(await readyWith(3)).toHaveLength(3);
    const phases = await services.db.auditEvent.findMany({
      where: { targetId: deploymentId, action: "deployment.phase" },
      orderBy: { seq: "desc" },
      take: 2,
    });
    expect(phases.map((event) => (event.after as { phase: string }).phase)).toEqual(["ready", "updating"]);

    expect(await scaleDeployment(tenant.ctx, { deploymentId, replicas: 1 })).toMatchObject({ changed: true });
    const down = await sampleUntil(async () => {
      const deployment = await row();
      const pids = await simulatorPids(config.simulator.runDir, deploymentId);
      return deployment.phase === "ready" && deployment.observedGeneration === deployment.generation && pids.size === 1;
    });
    for (const sample of [...up, ...down]) {
      expect(sample.filter((entry) => isRoutable(entry, entry.updatedAtMs)).length).toBeGreaterThanOrEqual(1);
    }
    expect(down.some((sample) => sample.some((entry) => entry.state === "draining"))).toBe(true);
    await readyWith(1);
  });

  it("rolls a spec change: the new replica is Ready before the old one drains", async () => {
    const before = (await table())[0];
    const spec = {
      simulator: { startupMs, noLatency: true },
      preStopSec: 0,
      drainTimeoutSec: 1,
      extraArgs: ["--max-num-seqs", "64"],
    };
    expect(await updateDeployment(tenant.ctx, { deploymentId, spec })).toMatchObject({ changed: true });
    const samples = await sampleUntil(async () => {
      const deployment = await row();
      const entries = await table();
      return (
        deployment.phase === "ready" &&
        deployment.observedGeneration === deployment.generation &&
        entries.length === 1 &&
        entries[0]?.revision !== before?.revision
      );
    });
    const firstIndex = (match: (sample: ReplicaEntry[]) => boolean) => samples.findIndex(match);
    const oldDraining = firstIndex((sample) =>
      sample.some((e) => e.replica === before?.replica && e.state === "draining"),
    );
    const newReady = firstIndex((sample) => sample.some((e) => e.revision !== before?.revision && e.state === "ready"));
    expect(newReady).toBeGreaterThanOrEqual(0);
    expect(oldDraining === -1 || newReady <= oldDraining).toBe(true);
    for (const sample of samples) {
      expect(sample.filter((entry) => isRoutable(entry, entry.updatedAtMs)).length).toBeGreaterThanOrEqual(1);
    }
    expect((await row()).targetRevision).toBe((await table())[0]?.revision);
  });

  it("marks a killed replica unready within 5 s, then replaces it", async () => {
    const [victim] = await readyWith(1);
    const pid = (await simulatorPids(config.simulator.runDir, deploymentId)).get(victim?.replica ?? "");
    if (!pid) throw new Error("no pid for the ready replica");
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await waitFor("the killed replica to leave routing", async () => {
      const entry = (await table()).find((e) => e.replica === victim?.replica);
      return !entry || !isRoutable(entry, Date.now());
    });
    const unreadyAfterMs = Date.now() - killedAt;
    expect(unreadyAfterMs).toBeLessThan(5_000);
    const [replacement] = await readyWith(1);
    expect(replacement?.replica).not.toBe(victim?.replica);
  });

  it("stops (replicas drained, table empty, spec kept), then deletes and purges the row", async () => {
    await setDeploymentState(tenant.ctx, { deploymentId, state: "stopped" });
    await waitFor("stopped", async () => (await row()).phase === "stopped" && (await table()).length === 0);
    expect((await simulatorPids(config.simulator.runDir, deploymentId)).size).toBe(0);
    await deleteDeployment(tenant.ctx, { deploymentId });
    await deployments.requestReconcile(deploymentId);
    await waitFor("purged", async () => (await services.db.deployment.count({ where: { id: deploymentId } })) === 0);
    const actions = await services.db.auditEvent.findMany({
      where: { targetId: deploymentId },
      select: { action: true },
    });
    expect(actions.map((event) => event.action)).toContain("deployment.purge");
  });
});
