import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Deployments, startDeployments } from "../queues/deployments.ts";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import type { DeploymentsEnvConfig } from "./deployments-env.ts";
import type { DeploymentDriver } from "./driver.ts";
import { type ReconcileDeps, type ReconcileOutcome, reconcileDeployment } from "./reconcile-deployment.ts";
import { createSimulatorDriver } from "./simulator-driver.ts";
import {
  createCatalogTenant,
  createTestDeployment,
  directReconcileDeps,
  dropTestKeys,
  removeSimulatorReplicas,
  simulatorPids,
  simulatorRunDir,
  testDeploymentsConfig,
  waitFor,
} from "./testing/deployment-fixtures.ts";

/**
 * The real simulator driver, with every call counted: how many run at once for one deployment and how
 * many replicas were started in total. Delegates everything; it only watches.
 */
function watched(driver: DeploymentDriver) {
  const stats = { inFlight: 0, maxInFlight: 0, started: 0 };
  const track = async <T>(call: () => Promise<T>): Promise<T> => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      // Long enough that two unguarded passes would overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return await call();
    } finally {
      stats.inFlight--;
    }
  };
  const wrapped: DeploymentDriver = {
    kind: driver.kind,
    managesRollout: driver.managesRollout,
    render: (target) => driver.render(target),
    observe: (target) => track(() => driver.observe(target)),
    apply: (target, rendered, actions) => {
      for (const action of actions) if (action.type === "start") stats.started += action.count;
      return track(() => driver.apply(target, rendered, actions));
    },
    delete: (target) => track(() => driver.delete(target)),
  };
  return { driver: wrapped, stats };
}

describe("two reconcilers racing for one deployment", () => {
  let first: WorkerServices;
  let second: WorkerServices;
  let config: DeploymentsEnvConfig;
  const running: Deployments[] = [];
  let deploymentId = "";

  beforeAll(async () => {
    first = createTestServices();
    // Same queue and table prefix, its own connections: another worker process in all but pid.
    second = {
      ...first,
      redis: new Redis(inject("redisUrl")),
      queueConnection: new Redis(inject("redisUrl"), { maxRetriesPerRequest: null }),
    };
    config = testDeploymentsConfig(100, await simulatorRunDir());
  });

  afterAll(async () => {
    await running[0]?.queue.obliterate({ force: true });
    for (const deployments of running) await deployments.close();
    await removeSimulatorReplicas(config.simulator.runDir);
    await dropTestKeys(first);
    await closeServices(second);
    await closeServices(first);
  });

  it("never runs two passes at once and starts each replica once", async () => {
    const sim = createSimulatorDriver({
      simulatorBin: config.simulator.bin,
      runDir: config.simulator.runDir,
      path: config.simulator.path,
    });
    const { driver, stats } = watched(sim);
    running.push(await startDeployments(first, () => driver, config));
    running.push(await startDeployments(second, () => driver, config));
    const tenant = await createCatalogTenant(first.db);
    deploymentId = await createTestDeployment(tenant, {
      name: "raced",
      driver: "simulator",
      replicas: 2,
      spec: { simulator: { startupMs: 500, noLatency: true }, preStopSec: 0, drainTimeoutSec: 1 },
    });

    // Besides both queues, two more owners call the pass directly, as a stalled job handed to a second
    // worker would, while the first is still running.
    const owners = [directReconcileDeps(first, driver, "direct-a"), directReconcileDeps(second, driver, "direct-b")];
    await Promise.all(running.map((deployments) => deployments.requestReconcile(deploymentId)));
    const outcomes: ReconcileOutcome[] = [];
    const hammer = async (deps: ReconcileDeps) => {
      for (let i = 0; i < 15; i++) outcomes.push(await reconcileDeployment(deps, deploymentId));
    };
    await Promise.all(owners.map(hammer));

    await waitFor("two ready replicas", async () => {
      const row = await first.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      return row.phase === "ready" && row.readyReplicas === 2;
    });
    expect(stats.maxInFlight).toBe(1);
    expect(outcomes.some((outcome) => outcome.outcome === "lease-held")).toBe(true);
    expect(stats.started).toBe(2);
    expect((await simulatorPids(config.simulator.runDir, deploymentId)).size).toBe(2);
    // BullMQ kept a single reconcile job for the deployment through all of it.
    const jobs = await running[0]?.queue.getJobs(["active", "delayed", "waiting", "prioritized"]);
    expect(jobs?.filter((job) => job.data.deploymentId === deploymentId)).toHaveLength(1);
  });
});
