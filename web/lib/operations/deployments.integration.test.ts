import { publishDeploymentReplicas, recordDeploymentStatus, replicaTableKeys } from "@perimeter/core";
import { createDb, randomBase32 } from "@perimeter/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWebFixture, type WebFixture } from "../testing/web-fixture";
import {
  createDeploymentAs,
  deleteDeploymentAs,
  getDeploymentAs,
  listDeployments,
  scaleDeploymentAs,
  setDeploymentStateAs,
  updateDeploymentAs,
} from "./deployments";
import { createModelAs, listModels, updateModelAs } from "./models";
import type { OperationEnv } from "./operation-env";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"));
// A replica table of its own, so no gateway on this machine ever sees these replicas.
const replicaTable = replicaTableKeys(`perimeter-web-test-${randomBase32(8)}`);
let fx: WebFixture;
let env: OperationEnv;

beforeAll(async () => {
  fx = await createWebFixture(db);
  env = { ...fx.env, redis, replicaTable };
});
afterAll(async () => {
  const keys = await redis.keys(`${replicaTable.index.replace(/index$/, "")}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await db.$disconnect();
});

const count = () => Promise.all([db.deployment.count(), db.auditEvent.count({ where: { orgId: fx.orgId } })]);

describe("deployments", () => {
  it("a bad spec is answered field by field, for the driver, and nothing is created", async () => {
    const before = await count();
    const create = (input: Record<string, unknown>) =>
      createDeploymentAs(env, fx.principals.admin, { modelId: fx.models.builtin, name: "ok-name", ...input });
    expect(
      await create({
        name: "Bad Name",
        driver: "simulator",
        spec: { simulator: { startupMs: -1 }, extraArgs: ["--port=9"] },
      }),
    ).toMatchObject({ code: "INVALID", fields: { name: expect.stringContaining("lower-case") } });
    expect(
      await create({
        driver: "simulator",
        spec: { simulator: { startupMs: -1 }, extraArgs: ["--enforce-eager", "--port=9"] },
      }),
    ).toMatchObject({
      code: "INVALID",
      fields: {
        "spec.simulator.startupMs": "must be at least 0",
        "spec.extraArgs.1": expect.stringContaining("--port is not allowed"),
      },
    });
    // The driver's own rules arrive on the field they name.
    expect(await create({ driver: "docker", spec: { gpu: { type: "nvidia-h200", count: 0 } } })).toMatchObject({
      fields: { "spec.gpu.count": expect.stringContaining("runs vLLM on GPUs") },
    });
    expect(await create({ driver: "external", spec: {} })).toMatchObject({
      fields: { "spec.external.urls": "the external driver needs the URLs to use" },
    });
    expect(await create({ driver: "simulator", name: "sim" })).toMatchObject({
      fields: { name: "another deployment has this name" },
    });
    expect(await count()).toEqual(before);
  });

  it("reads never show environment values, and an edit that sends the mask back keeps them", async () => {
    const view = await getDeploymentAs(env, fx.principals.auditor, fx.deployments.simulator);
    expect(view.ok && view.value.spec.env).toEqual({ HF_TOKEN: "***" });
    expect(JSON.stringify(await listDeployments(env, fx.principals.auditor))).not.toContain("hf_fixture_secret");
    const updated = await updateDeploymentAs(env, fx.principals.admin, {
      deploymentId: fx.deployments.simulator,
      spec: { simulator: { startupMs: 250 }, env: { HF_TOKEN: "***", VLLM_LOGGING_LEVEL: "DEBUG" } },
    });
    expect(updated).toMatchObject({ ok: true, value: { generation: 2, spec: { env: { HF_TOKEN: "***" } } } });
    const stored = await db.deployment.findUniqueOrThrow({ where: { id: fx.deployments.simulator } });
    expect(stored.spec).toMatchObject({
      simulator: { startupMs: 250 },
      env: { HF_TOKEN: "hf_fixture_secret", VLLM_LOGGING_LEVEL: "DEBUG" },
    });
  });

  it("shows the reconciler's status and replicas, and which of them the gateways route to", async () => {
    const created = await createDeploymentAs(env, fx.principals.admin, {
      name: `live-${randomBase32(4)}`,
      modelId: fx.models.builtin,
      driver: "simulator",
      replicas: 2,
    });
    if (!created.ok) throw new Error(created.message);
    const id = created.value.id;
    const replica = (name: string, health: "healthy" | "loading") => ({
      name,
      endpoint: `http://127.0.0.1:${name === "r1" ? 8001 : 8002}`,
      revision: "rev1",
      health,
      healthCheckedAt: new Date(),
      lastError: null,
      runningRequests: health === "healthy" ? 3 : 0,
      waitingRequests: 1,
      kvCacheUsage: health === "healthy" ? 0.42 : null,
      maxModelLen: 163_840,
      drainStartedAt: null,
      stopRequestedAt: null,
      startedAt: new Date(),
    });
    const worker = { db, orgId: fx.orgId, actor: { type: "system" as const, label: "reconciler" } };
    await recordDeploymentStatus(worker, {
      deploymentId: id,
      observedGeneration: 1,
      phase: "loading",
      reason: "ReplicasLoading",
      message: "1 of 2 replicas ready",
      targetRevision: "rev1",
      readyReplicas: 1,
      statusDetail: {},
      replicas: [replica("r1", "healthy"), replica("r2", "loading")],
    });
    const nowMs = Date.now();
    await publishDeploymentReplicas(redis, replicaTable, {
      deploymentId: id,
      ttlMs: 60_000,
      nowMs,
      replicas: [
        {
          deploymentId: id,
          orgId: fx.orgId,
          replica: "r1",
          model: { publicName: "umans-coder-v0", aliases: [], servedName: "umans-coder" },
          endpoint: "http://127.0.0.1:8001",
          revision: "rev1",
          state: "ready",
          runningRequests: 3,
          waitingRequests: 1,
          kvCacheUsage: 0.42,
          maxModelLen: 163_840,
        },
      ],
    });
    const view = await getDeploymentAs(env, fx.principals.auditor, id);
    expect(view).toMatchObject({
      ok: true,
      value: {
        phase: "loading",
        reason: "ReplicasLoading",
        message: "1 of 2 replicas ready",
        readyReplicas: 1,
        desiredReplicas: 2,
        replicas: [
          { name: "r1", health: "healthy", routingState: "ready", runningRequests: 3, kvCacheUsage: 0.42 },
          { name: "r2", health: "loading", routingState: null, kvCacheUsage: null },
        ],
      },
    });
  });

  it("scale, stop, start and delete change the desired state; an external deployment does not scale", async () => {
    const id = fx.deployments.simulator;
    const scaled = await scaleDeploymentAs(env, fx.principals.admin, { deploymentId: id, replicas: 4 });
    expect(scaled).toMatchObject({ ok: true, value: { desiredReplicas: 4 } });
    expect(await scaleDeploymentAs(env, fx.principals.admin, { deploymentId: id, replicas: 65 })).toMatchObject({
      code: "INVALID",
      fields: { replicas: "must be at most 64" },
    });
    const stopped = await setDeploymentStateAs(env, fx.principals.admin, { deploymentId: id, state: "stopped" });
    expect(stopped).toMatchObject({ ok: true, value: { desiredState: "stopped" } });
    expect(await setDeploymentStateAs(env, fx.principals.admin, { deploymentId: id, state: "asleep" })).toMatchObject({
      code: "INVALID",
      fields: { state: expect.any(String) },
    });
    await setDeploymentStateAs(env, fx.principals.admin, { deploymentId: id, state: "running" });

    const external = await createDeploymentAs(env, fx.principals.admin, {
      name: `ext-${randomBase32(4)}`,
      modelId: fx.models.builtin,
      driver: "external",
      spec: { external: { urls: ["http://gpu-1:8000", "http://gpu-2:8000/"] } },
    });
    expect(external).toMatchObject({ ok: true, value: { desiredReplicas: 2 } });
    if (!external.ok) return;
    expect(
      await scaleDeploymentAs(env, fx.principals.admin, { deploymentId: external.value.id, replicas: 3 }),
    ).toMatchObject({ code: "INVALID", fields: { replicas: expect.stringContaining("one replica per URL") } });

    const deleted = await deleteDeploymentAs(env, fx.principals.admin, { deploymentId: external.value.id });
    expect(deleted).toMatchObject({ ok: true, value: { deletedAt: expect.any(Date) } });
    // Once marked for deletion, nothing more can be asked of it.
    expect(
      await scaleDeploymentAs(env, fx.principals.admin, { deploymentId: external.value.id, replicas: 1 }),
    ).toMatchObject({ code: "NOT_FOUND" });
    const other = await createWebFixture(db);
    expect(await scaleDeploymentAs(env, other.principals.admin, { deploymentId: id, replicas: 1 })).toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("models", () => {
  it("a name another model uses is a field error; an edit to how vLLM starts rolls the model's deployments", async () => {
    const taken = await createModelAs(env, fx.principals.admin, {
      publicName: `other-${randomBase32(4)}`,
      aliases: ["umans-coder-v0"],
      servedName: "x",
      hfRepo: "acme/x",
      contextLength: 4096,
    });
    expect(taken).toMatchObject({ code: "INVALID", fields: { publicName: expect.stringContaining("umans-coder-v0") } });
    const bad = await createModelAs(env, fx.principals.admin, { publicName: "has space", contextLength: 1 });
    expect(bad).toMatchObject({
      code: "INVALID",
      fields: { publicName: expect.any(String), servedName: "required", contextLength: "must be at least 256" },
    });
    const before = await db.deployment.findUniqueOrThrow({ where: { id: fx.deployments.simulator } });
    const edited = await updateModelAs(env, fx.principals.admin, {
      modelId: fx.models.builtin,
      changes: { contextLength: 131_072 },
    });
    expect(edited).toMatchObject({ ok: true, value: { contextLength: 131_072, supportsTools: true } });
    expect(edited.ok && edited.value.rolledDeploymentIds).toContain(fx.deployments.simulator);
    const after = await db.deployment.findUniqueOrThrow({ where: { id: fx.deployments.simulator } });
    expect(after.generation).toBe(before.generation + 1);
    // Fields not sent keep their value (defaults of the schema never overwrite them).
    const model = await listModels(env, fx.principals.auditor);
    expect(model.ok && model.value.find((m) => m.id === fx.models.builtin)).toMatchObject({
      enableAutoToolChoice: true,
      reasoningParser: "deepseek_v3",
    });
  });
});
