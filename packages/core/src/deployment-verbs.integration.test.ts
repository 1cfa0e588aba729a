import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createDeployment } from "./create-deployment.ts";
import { createModel } from "./create-model.ts";
import { deleteDeployment } from "./delete-deployment.ts";
import { ensureBuiltinModels } from "./ensure-builtin-models.ts";
import { scaleDeployment } from "./scale-deployment.ts";
import { setDeploymentState } from "./set-deployment-state.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateDeployment } from "./update-deployment.ts";
import { updateModel } from "./update-model.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function tenantWithCatalog() {
  const tenant = await createTestTenant(db);
  const { created } = await ensureBuiltinModels(tenant.ctx);
  const model = created[0];
  if (!model) throw new Error("no built-in model");
  return { ...tenant, model };
}

async function actions(orgId: string, targetId: string): Promise<string[]> {
  const events = await db.auditEvent.findMany({ where: { orgId, targetId }, orderBy: { seq: "asc" } });
  return events.map((event) => event.action);
}

describe("model catalog", () => {
  it("provisions umans-coder-v0 once per organization, even when asked concurrently", async () => {
    const { ctx } = await createTestTenant(db);
    const results = await Promise.all([ensureBuiltinModels(ctx), ensureBuiltinModels(ctx), ensureBuiltinModels(ctx)]);
    expect(results.map((result) => result.created.length).sort()).toEqual([0, 0, 1]);
    const models = await db.model.findMany({ where: { orgId: ctx.orgId } });
    expect(models).toEqual([
      expect.objectContaining({
        publicName: "umans-coder-v0",
        servedName: "umans-coder",
        hfRepo: "umans-ai/umans-coder-v0",
        tokenizerMode: "deepseek_v32",
        toolCallParser: "deepseek_v32",
        reasoningParser: "deepseek_v3",
        enableAutoToolChoice: true,
        contextLength: 163_840,
        supportsVision: false,
        supportsThinking: true,
        defaultImage: "umansai/vllm:0.1.2",
        builtin: true,
      }),
    ]);
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "model.create" } })).toBe(1);
  });

  it("refuses a name or alias another model already answers to", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const fields = { servedName: "qwen", hfRepo: "Qwen/Qwen3-8B", contextLength: 32_768 };
    expect(await createModel(ctx, { ...fields, publicName: "qwen3", aliases: ["umans-coder-v0"] })).toEqual({
      ok: false,
      code: "NAME_TAKEN",
      names: ["umans-coder-v0"],
    });
    expect((await updateModel(ctx, { modelId: model.id, changes: { aliases: ["claude-sonnet-4-5"] } })).ok).toBe(true);
    expect(await createModel(ctx, { ...fields, publicName: "claude-sonnet-4-5" })).toMatchObject({
      code: "NAME_TAKEN",
    });
    expect((await createModel(ctx, { ...fields, publicName: "qwen3" })).ok).toBe(true);
  });

  it("rolls the model's deployments when a serving field changes, not for a capability flag", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const created = await createDeployment(ctx, { name: "coder", modelId: model.id, driver: "simulator" });
    if (!created.ok) throw new Error(created.code);
    const flag = await updateModel(ctx, { modelId: model.id, changes: { defaultThinking: true } });
    expect(flag).toMatchObject({ ok: true, rolledDeploymentIds: [] });
    const serving = await updateModel(ctx, { modelId: model.id, changes: { contextLength: 131_072 } });
    expect(serving).toMatchObject({ ok: true, rolledDeploymentIds: [created.deployment.id] });
    expect((await db.deployment.findUniqueOrThrow({ where: { id: created.deployment.id } })).generation).toBe(2);
    // `partial()` must not reset fields the caller did not name to their defaults.
    expect(await db.model.findUniqueOrThrow({ where: { id: model.id } })).toMatchObject({
      enableAutoToolChoice: true,
      defaultThinking: true,
    });
  });
});

describe("deployment verbs", () => {
  it("creates a Kubernetes deployment at TP 8 on 8×H200 from the model's profile and audits it with env masked", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const result = await createDeployment(ctx, {
      name: "coder-h200",
      modelId: model.id,
      driver: "kubernetes",
      spec: { env: { HF_TOKEN: "hf_secret", VLLM_LOGGING_LEVEL: "INFO" } },
    });
    if (!result.ok) throw new Error(result.code);
    expect(result.deployment).toMatchObject({
      generation: 1,
      observedGeneration: 0,
      phase: "pending",
      desiredReplicas: 1,
    });
    expect(result.deployment.spec).toMatchObject({
      gpu: { type: "nvidia-h200", count: 8 },
      parallelism: { tensor: 8 },
    });
    const event = await db.auditEvent.findFirstOrThrow({ where: { targetId: result.deployment.id } });
    expect(event.action).toBe("deployment.create");
    expect(JSON.stringify(event.after)).not.toContain("hf_secret");
    expect(event.after).toMatchObject({ spec: { env: { VLLM_LOGGING_LEVEL: "***" } } });
  });

  it("answers NAME_TAKEN, MODEL_NOT_FOUND and IMAGE_REQUIRED, and throws on a bad spec", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const other = await tenantWithCatalog();
    const input = { name: "coder", modelId: model.id, driver: "simulator" as const };
    expect((await createDeployment(ctx, input)).ok).toBe(true);
    expect(await createDeployment(ctx, input)).toEqual({ ok: false, code: "NAME_TAKEN" });
    expect(await createDeployment(ctx, { ...input, name: "x", modelId: other.model.id })).toEqual({
      ok: false,
      code: "MODEL_NOT_FOUND",
    });
    const bare = await createModel(ctx, { publicName: "bare", servedName: "bare", hfRepo: "a/b", contextLength: 4096 });
    if (!bare.ok) throw new Error(bare.code);
    const gpus = { gpu: { type: "nvidia-l40s", count: 1 } };
    expect(await createDeployment(ctx, { name: "y", modelId: bare.model.id, driver: "docker", spec: gpus })).toEqual({
      ok: false,
      code: "IMAGE_REQUIRED",
    });
    await expect(createDeployment(ctx, { ...input, name: "z", spec: { extraArgs: ["--port", "1"] } })).rejects.toThrow(
      ZodError,
    );
    await expect(createDeployment(ctx, { ...input, name: "Bad_Name" })).rejects.toThrow(ZodError);
  });

  it("bumps generation once per real change and audits each verb", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const created = await createDeployment(ctx, { name: "coder", modelId: model.id, driver: "simulator" });
    if (!created.ok) throw new Error(created.code);
    const id = created.deployment.id;
    const spec = { simulator: { startupMs: 500 } };
    expect(await updateDeployment(ctx, { deploymentId: id, spec })).toMatchObject({ ok: true, changed: true });
    // The same spec again, read back from jsonb in another key order, is no change.
    expect(await updateDeployment(ctx, { deploymentId: id, spec })).toMatchObject({ ok: true, changed: false });
    expect(await scaleDeployment(ctx, { deploymentId: id, replicas: 3 })).toMatchObject({ changed: true });
    expect(await scaleDeployment(ctx, { deploymentId: id, replicas: 3 })).toMatchObject({ changed: false });
    expect(await setDeploymentState(ctx, { deploymentId: id, state: "stopped" })).toMatchObject({ changed: true });
    expect(await setDeploymentState(ctx, { deploymentId: id, state: "running" })).toMatchObject({ changed: true });
    expect(await deleteDeployment(ctx, { deploymentId: id })).toMatchObject({ changed: true });
    expect(await deleteDeployment(ctx, { deploymentId: id })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(await scaleDeployment(ctx, { deploymentId: id, replicas: 1 })).toEqual({ ok: false, code: "NOT_FOUND" });
    const row = await db.deployment.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ generation: 6, desiredReplicas: 3, desiredState: "running" });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(await actions(ctx.orgId, id)).toEqual([
      "deployment.create",
      "deployment.update",
      "deployment.scale",
      "deployment.stop",
      "deployment.start",
      "deployment.delete",
    ]);
  });

  it("keeps an external deployment's replicas equal to its URLs", async () => {
    const { ctx, model } = await tenantWithCatalog();
    const spec = { external: { urls: ["http://gpu-1:8000", "http://gpu-2:8000"] } };
    const created = await createDeployment(ctx, {
      name: "ext",
      modelId: model.id,
      driver: "external",
      spec,
      replicas: 5,
    });
    if (!created.ok) throw new Error(created.code);
    expect(created.deployment.desiredReplicas).toBe(2);
    expect(await scaleDeployment(ctx, { deploymentId: created.deployment.id, replicas: 4 })).toEqual({
      ok: false,
      code: "NOT_SCALABLE",
    });
  });
});
