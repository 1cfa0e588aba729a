import type { V1Pod } from "@kubernetes/client-node";
import { deleteDeployment, readDeploymentReplicas, scaleDeployment } from "@perimeter/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createKubernetesDriver, kubeConfigFor } from "./kubernetes-driver.ts";
import { type ReconcileDeps, reconcileDeployment } from "./reconcile-deployment.ts";
import { k8sKeys } from "./render-kubernetes.ts";
import {
  createCatalogTenant,
  createTestDeployment,
  directReconcileDeps,
  dropTestKeys,
} from "./testing/deployment-fixtures.ts";
import { type FakeKubernetesApi, startFakeKubernetesApi } from "./testing/fake-kubernetes-api.ts";

const namespace = "gpu-serving";

/** A pod of the deployment as the kubelet would report it; loopback IPs so probes never leave the host. */
function pod(name: string, deploymentId: string, revision: string, status: V1Pod["status"], deleting = false): V1Pod {
  return {
    metadata: {
      name,
      namespace,
      labels: { [k8sKeys.deploymentId]: deploymentId, [k8sKeys.revision]: revision },
      ...(deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status,
  };
}

const running = (ready: boolean, started: boolean): V1Pod["status"] => ({
  phase: "Running",
  podIP: "127.0.0.2",
  startTime: new Date(),
  containerStatuses: [
    { name: "vllm", ready, started, restartCount: 0, image: "umansai/vllm:0.1.2", imageID: "", state: { running: {} } },
  ],
});

describe("kubernetes driver against a fake API server", () => {
  let services: WorkerServices;
  let api: FakeKubernetesApi;
  let deps: ReconcileDeps;

  beforeAll(async () => {
    services = createTestServices();
    api = await startFakeKubernetesApi();
    const driver = createKubernetesDriver({
      kubeConfig: kubeConfigFor({ server: api.url, token: "test-token" }),
      defaultNamespace: "perimeter",
    });
    deps = directReconcileDeps(services, driver, "k8s-test");
  });

  afterAll(async () => {
    await dropTestKeys(services);
    await api.close();
    await closeServices(services);
  });

  it("applies, observes pods through to Ready, scales, then deletes everything it created", async () => {
    const tenant = await createCatalogTenant(services.db);
    const id = await createTestDeployment(tenant, {
      name: "coder",
      driver: "kubernetes",
      spec: { kubernetes: { namespace } },
    });
    const row = () => services.db.deployment.findUniqueOrThrow({ where: { id } });
    const pass = async () => {
      const from = api.requests.length;
      await reconcileDeployment(deps, id);
      return api.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    };

    // Nothing exists: observe, then server-side apply of the Deployment and the Service.
    const first = await pass();
    // Discovery (`GET /api/v1`, `GET /apis/apps/v1`) aside: three reads, in any order, then two applies.
    const calls = first.filter((line) => !line.endsWith("/v1"));
    expect(calls.slice(0, 3).sort()).toEqual([
      `GET /api/v1/namespaces/${namespace}/pods`,
      `GET /api/v1/namespaces/${namespace}/services/perimeter-coder-engine`,
      `GET /apis/apps/v1/namespaces/${namespace}/deployments/perimeter-coder`,
    ]);
    expect(calls.slice(3)).toEqual([
      `PATCH /apis/apps/v1/namespaces/${namespace}/deployments/perimeter-coder`,
      `PATCH /api/v1/namespaces/${namespace}/services/perimeter-coder-engine`,
    ]);
    const patches = api.requests.filter((r) => r.method === "PATCH");
    for (const patch of patches) {
      expect(patch.contentType).toBe("application/apply-patch+yaml");
      expect(patch.query).toMatchObject({ fieldManager: "perimeter", force: "true" });
    }
    const applied = api.objects.get(`Deployment/${namespace}/perimeter-coder`) as { spec: { replicas: number } };
    expect(applied.spec.replicas).toBe(1);
    expect(await row()).toMatchObject({ phase: "pending", observedGeneration: 1 });
    const revision = (await row()).targetRevision ?? "";

    // Unchanged desired state: observing only, no second apply.
    expect((await pass()).filter((line) => line.startsWith("PATCH"))).toEqual([]);

    api.pods = [
      pod("coder-a", id, revision, {
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
          },
        ],
      }),
    ];
    await pass();
    expect(await row()).toMatchObject({
      phase: "provisioning",
      message: "Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
    });

    api.pods = [pod("coder-a", id, revision, running(false, false))];
    await pass();
    expect((await row()).phase).toBe("loading");

    api.pods = [pod("coder-a", id, revision, running(true, true))];
    await pass();
    expect(await row()).toMatchObject({ phase: "ready", readyReplicas: 1 });
    const entries = await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now());
    expect(entries.map((e) => [e.replica, e.state, e.endpoint])).toEqual([
      ["coder-a", "ready", "http://127.0.0.2:8000"],
    ]);

    // Scaling re-applies with the new count; a terminating pod is out of routing at once.
    await scaleDeployment(tenant.ctx, { deploymentId: id, replicas: 2 });
    expect((await pass()).filter((line) => line.startsWith("PATCH"))).toHaveLength(2);
    expect((api.objects.get(`Deployment/${namespace}/perimeter-coder`) as typeof applied).spec.replicas).toBe(2);
    api.pods = [
      pod("coder-a", id, revision, running(true, true), true),
      pod("coder-b", id, revision, running(true, true)),
    ];
    await pass();
    const routed = await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now());
    expect(routed.map((e) => [e.replica, e.state])).toEqual([
      ["coder-a", "draining"],
      ["coder-b", "ready"],
    ]);

    // Delete: both objects are removed; the row goes once no pod is left.
    await deleteDeployment(tenant.ctx, { deploymentId: id });
    const deleting = await pass();
    expect(deleting.filter((line) => line.startsWith("DELETE"))).toEqual([
      `DELETE /apis/apps/v1/namespaces/${namespace}/deployments/perimeter-coder`,
      `DELETE /api/v1/namespaces/${namespace}/services/perimeter-coder-engine`,
    ]);
    expect((await row()).phase).toBe("deleting");
    api.pods = [];
    await pass();
    expect(await services.db.deployment.count({ where: { id } })).toBe(0);
    expect([...api.objects.keys()]).toEqual([]);
  });
});
