import { readDeploymentReplicas, setDeploymentState } from "@perimeter/core";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createExternalDriver } from "./external-driver.ts";
import { type ReconcileDeps, reconcileDeployment } from "./reconcile-deployment.ts";
import {
  createCatalogTenant,
  createTestDeployment,
  directReconcileDeps,
  dropTestKeys,
} from "./testing/deployment-fixtures.ts";

describe("external driver", () => {
  let services: WorkerServices;
  let serving: RunningVllmSim;
  let wrongModel: RunningVllmSim;
  let deps: ReconcileDeps;

  beforeAll(async () => {
    services = createTestServices();
    serving = await startVllmSim({ model: "umans-coder" });
    wrongModel = await startVllmSim({ model: "something-else" });
    deps = directReconcileDeps(services, createExternalDriver(), "ext-test");
  });

  afterAll(async () => {
    await dropTestKeys(services);
    await serving.close();
    await wrongModel.close();
    await closeServices(services);
  });

  it("routes only to the URLs that serve the model, and stops routing when stopped", async () => {
    const tenant = await createCatalogTenant(services.db);
    const id = await createTestDeployment(tenant, {
      name: "existing-vllm",
      driver: "external",
      spec: { external: { urls: [serving.url, wrongModel.url] } },
    });
    await reconcileDeployment(deps, id);
    const row = await services.db.deployment.findUniqueOrThrow({ where: { id }, include: { replicas: true } });
    expect(row).toMatchObject({ phase: "degraded", readyReplicas: 1 });
    expect(row.replicas.find((r) => r.endpoint === wrongModel.url)?.lastError).toBe(
      'GET /v1/models does not list "umans-coder"',
    );
    const entries = await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now());
    expect(entries.map((e) => [e.endpoint, e.state])).toEqual(
      [
        [serving.url, "ready"],
        [wrongModel.url, "unhealthy"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    await setDeploymentState(tenant.ctx, { deploymentId: id, state: "stopped" });
    await reconcileDeployment(deps, id);
    expect((await services.db.deployment.findUniqueOrThrow({ where: { id } })).phase).toBe("stopped");
    expect(await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now())).toEqual([]);
  });
});
