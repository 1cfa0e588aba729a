import { type ChangePublisher, createDeployment, deleteDeployment, type OrgContext } from "@perimeter/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatorDriver } from "../deployments/simulator-driver.ts";
import {
  createCatalogTenant,
  dropTestKeys,
  removeSimulatorReplicas,
  simulatorRunDir,
  testDeploymentsConfig,
  waitFor,
} from "../deployments/testing/deployment-fixtures.ts";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { changedDeployment, type Deployments, deploymentJobs, startDeployments } from "./deployments.ts";

// Real Postgres, Redis pub/sub and BullMQ. The resync runs once a minute here, so anything that happens
// within seconds of a change was started by the change's announcement.
describe("deployment changes", () => {
  let services: WorkerServices;
  let deployments: Deployments;
  let runDir: string;
  let ctx: OrgContext;
  let modelId: string;

  beforeAll(async () => {
    services = createTestServices();
    runDir = await simulatorRunDir();
    const config = testDeploymentsConfig(150, runDir);
    const driver = createSimulatorDriver({ simulatorBin: config.simulator.bin, runDir, path: config.simulator.path });
    deployments = await startDeployments(services, () => driver, config);
    // Core publishes on its channel; this test's worker listens on one of its own.
    const changes: ChangePublisher = {
      publish: (_channel, message) => services.redis.publish(services.changeChannel, message),
    };
    const tenant = await createCatalogTenant(services.db);
    ctx = { ...tenant.ctx, changes };
    modelId = tenant.modelId;
    // The boot resync has run (and found nothing of ours) before the deployment below exists.
    await waitFor("the boot resync", async () =>
      (await deployments.queue.getCompleted()).some((job) => job.name === deploymentJobs.resync),
    );
  });

  afterAll(async () => {
    await deployments.queue.obliterate({ force: true });
    await deployments.close();
    await removeSimulatorReplicas(runDir);
    await dropTestKeys(services);
    await closeServices(services);
  });

  it("reconciles a new deployment at once, and a deleted one is purged at once", async () => {
    const created = await createDeployment(ctx, {
      name: "coder",
      modelId,
      driver: "simulator",
      desiredState: "stopped",
    });
    if (!created.ok) throw new Error(created.code);
    const id = created.deployment.id;
    const row = () => services.db.deployment.findUnique({ where: { id } });
    const started = Date.now();
    await waitFor("the first pass", async () => (await row())?.phase === "stopped", 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);

    expect(await deleteDeployment(ctx, { deploymentId: id })).toMatchObject({ ok: true, changed: true });
    await waitFor("the purge", async () => (await row()) === null, 10_000);
  });

  it("reads only deployment changes from the channel", () => {
    expect(changedDeployment(JSON.stringify({ entity: "deployment", id: "dep_1" }))).toBe("dep_1");
    expect(changedDeployment(JSON.stringify({ entity: "api_key", id: "key_1" }))).toBeUndefined();
    expect(changedDeployment(JSON.stringify({ entity: "deployment", id: 5 }))).toBeUndefined();
    expect(changedDeployment(JSON.stringify({ entity: "deployment", id: "" }))).toBeUndefined();
    expect(changedDeployment("not json")).toBeUndefined();
  });
});
