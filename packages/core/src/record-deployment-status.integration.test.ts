import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDeployment } from "./create-deployment.ts";
import { deleteDeployment } from "./delete-deployment.ts";
import { ensureBuiltinModels } from "./ensure-builtin-models.ts";
import { purgeDeployment } from "./purge-deployment.ts";
import { type ObservedReplica, recordDeploymentStatus } from "./record-deployment-status.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

function replica(name: string, health: ObservedReplica["health"]): ObservedReplica {
  return {
    name,
    endpoint: `http://127.0.0.1:9/${name}`,
    revision: "rev1",
    health,
    healthCheckedAt: new Date(),
    lastError: null,
    runningRequests: 1,
    waitingRequests: 0,
    kvCacheUsage: 0.25,
    maxModelLen: 163_840,
    drainStartedAt: null,
    stopRequestedAt: null,
    startedAt: new Date(),
  };
}

describe("recordDeploymentStatus / purgeDeployment", () => {
  it("replaces the replica rows whole and audits phase changes only", async () => {
    const { ctx } = await createTestTenant(db);
    const model = (await ensureBuiltinModels(ctx)).created[0];
    const created = await createDeployment(ctx, { name: "coder", modelId: model?.id ?? "", driver: "simulator" });
    if (!created.ok) throw new Error(created.code);
    const worker = { ...ctx, actor: { type: "system" as const, label: "reconciler" } };
    const status = {
      deploymentId: created.deployment.id,
      observedGeneration: 1,
      reason: null,
      message: null,
      targetRevision: "rev1",
      statusDetail: { readyGeneration: 1 },
    };
    const first = await recordDeploymentStatus(worker, {
      ...status,
      phase: "loading",
      readyReplicas: 0,
      replicas: [replica("a", "loading"), replica("b", "loading")],
    });
    expect(first).toEqual({ ok: true, phaseChanged: true, previousPhase: "pending" });
    const again = await recordDeploymentStatus(worker, {
      ...status,
      phase: "loading",
      readyReplicas: 0,
      replicas: [replica("a", "healthy")],
    });
    expect(again).toMatchObject({ phaseChanged: false });
    const rows = await db.deploymentReplica.findMany({ where: { deploymentId: created.deployment.id } });
    expect(rows.map((row) => [row.name, row.health])).toEqual([["a", "healthy"]]);
    const phases = await db.auditEvent.findMany({
      where: { orgId: ctx.orgId, action: "deployment.phase" },
      select: { actorType: true, actorLabel: true, before: true, after: true },
    });
    expect(phases).toEqual([
      {
        actorType: "system",
        actorLabel: "reconciler",
        before: { phase: "pending", reason: null, message: null },
        after: expect.objectContaining({ phase: "loading", observedGeneration: 1 }),
      },
    ]);

    expect(await purgeDeployment(worker, { deploymentId: created.deployment.id })).toEqual({
      ok: false,
      code: "NOT_DELETED",
    });
    await deleteDeployment(ctx, { deploymentId: created.deployment.id });
    expect(await purgeDeployment(worker, { deploymentId: created.deployment.id })).toEqual({ ok: true });
    expect(await db.deploymentReplica.count({ where: { deploymentId: created.deployment.id } })).toBe(0);
    expect(await recordDeploymentStatus(worker, { ...status, phase: "ready", readyReplicas: 1, replicas: [] })).toEqual(
      {
        ok: false,
        code: "NOT_FOUND",
      },
    );
    // The name is free again once the row is purged.
    expect((await createDeployment(ctx, { name: "coder", modelId: model?.id ?? "", driver: "simulator" })).ok).toBe(
      true,
    );
  });
});
