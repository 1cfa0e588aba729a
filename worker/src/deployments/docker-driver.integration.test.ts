import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readDeploymentReplicas, setDeploymentState } from "@perimeter/core";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createDockerDriver, dockerClientFor } from "./docker-driver.ts";
import { type ReconcileDeps, reconcileDeployment } from "./reconcile-deployment.ts";
import {
  createCatalogTenant,
  createTestDeployment,
  directReconcileDeps,
  dropTestKeys,
} from "./testing/deployment-fixtures.ts";
import { type FakeDockerApi, startFakeDockerApi } from "./testing/fake-docker-api.ts";

// No Docker engine runs here: the driver talks to a fake Engine API on a unix socket, and the
// "container" it publishes is a vllm-sim on loopback, so health polling is the real thing.
describe("docker driver against a fake Engine API", () => {
  let services: WorkerServices;
  let dir: string;
  let docker: FakeDockerApi;
  let sim: RunningVllmSim;
  let deps: ReconcileDeps;

  beforeAll(async () => {
    services = createTestServices();
    dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-docker-test-"));
    // A window other than the default, so the replica entry provably reports what vLLM serves.
    sim = await startVllmSim({ model: "umans-coder", maxModelLen: 131_072 });
    docker = await startFakeDockerApi(path.join(dir, "docker.sock"), () => new URL(sim.url).port);
    const driver = createDockerDriver(dockerClientFor(`unix://${docker.socketPath}`));
    deps = directReconcileDeps(services, driver, "docker-test");
  });

  afterAll(async () => {
    await dropTestKeys(services);
    await docker.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    await closeServices(services);
  });

  it("pulls, creates with GPU device requests, polls health to Ready, then drains and removes on stop", async () => {
    const tenant = await createCatalogTenant(services.db);
    const id = await createTestDeployment(tenant, {
      name: "coder",
      driver: "docker",
      spec: { preStopSec: 0, drainTimeoutSec: 30, docker: { modelCacheHostPath: "/data" } },
    });
    const row = () => services.db.deployment.findUniqueOrThrow({ where: { id } });
    const pass = async () => {
      const from = docker.requests.length;
      await reconcileDeployment(deps, id);
      return docker.requests
        .slice(from)
        .map((r) => `${r.method} ${r.path.replace(/c\d0+|perimeter-coder-[0-9a-f]{8}-[0-9a-z]{5}/, "<id>")}`);
    };

    expect(await pass()).toEqual([
      "GET /containers/json",
      "POST /containers/create",
      "POST /images/create",
      "POST /containers/create",
      "POST /containers/<id>/start",
    ]);
    expect(docker.images).toEqual(new Set(["umansai/vllm:0.1.2"]));
    const [container] = docker.containers.values();
    expect(container?.created).toMatchObject({
      Image: "umansai/vllm:0.1.2",
      Entrypoint: ["uv", "run", "vllm", "serve"],
      StopTimeout: 45,
      HostConfig: {
        DeviceRequests: [{ Driver: "nvidia", Count: 8, Capabilities: [["gpu"]] }],
        Binds: ["/data:/models"],
        RestartPolicy: { Name: "no" },
      },
    });
    expect(container?.Name).toMatch(/^\/perimeter-coder-[0-9a-f]{8}-[0-9a-z]{5}$/);

    await pass();
    expect(await row()).toMatchObject({ phase: "ready", readyReplicas: 1 });
    const [entry] = await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now());
    expect(entry).toMatchObject({ state: "ready", endpoint: sim.url, maxModelLen: 131_072 });

    // Stop: out of routing first, SIGTERM on the next pass (pre-stop 0 s), removed once exited.
    await setDeploymentState(tenant.ctx, { deploymentId: id, state: "stopped" });
    await pass();
    expect((await readDeploymentReplicas(services.redis, deps.replicaKeys, id, Date.now()))[0]?.state).toBe("draining");
    expect((await pass()).filter((line) => line.startsWith("POST"))).toEqual(["POST /containers/<id>/kill"]);
    expect(docker.requests.at(-1)?.query).toEqual({ signal: "SIGTERM" });
    expect((await pass()).filter((line) => line.startsWith("DELETE"))).toEqual(["DELETE /containers/<id>"]);
    await pass();
    expect(await row()).toMatchObject({ phase: "stopped" });
    expect(docker.containers.size).toBe(0);
  });
});
