import { createDb, randomBase32 } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import type { CoreContext } from "./context.ts";
import { createApiKey } from "./create-api-key.ts";
import { createModel } from "./create-model.ts";
import { listVisionPolicies } from "./list-vision-policies.ts";
import { loadKeyPrincipal } from "./load-key-principal.ts";
import { setVisionPolicy } from "./set-vision-policy.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateModel } from "./update-model.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function model(ctx: CoreContext, name: string, supportsVision: boolean) {
  const created = await createModel(ctx, {
    publicName: `${name}-${randomBase32(6)}`,
    servedName: name,
    hfRepo: `org/${name}`,
    contextLength: 32_768,
    supportsVision,
  });
  if (!created.ok) throw new Error(created.code);
  return created.model;
}

/** A tenant whose publisher records change events, with a team, a text model and a key. */
async function setup() {
  const tenant = await createTestTenant(db);
  const events: unknown[] = [];
  const ctx: CoreContext = {
    ...tenant.ctx,
    changes: { publish: async (_channel, message) => void events.push(JSON.parse(message)) },
  };
  const team = await createTestTeam(ctx);
  const text = await model(ctx, "coder", false);
  const key = await createApiKey(ctx, { teamId: team.team.id, ownerUserId: team.developer.id, name: "k" });
  if (!key.ok) throw new Error(key.code);
  return { ctx, team: team.team, text, key: key.key, events };
}

describe("setVisionPolicy", () => {
  it("needs a vision model to describe with: none, then the only one, then a choice among several", async () => {
    const { ctx, team, text, key } = await setup();
    const input = { teamId: team.id, modelId: text.id, mode: "describe" as const };
    expect(await setVisionPolicy(ctx, input)).toEqual({ ok: false, code: "VISION_MODEL_REQUIRED", candidates: [] });

    const vl = await model(ctx, "vl", true);
    const first = await setVisionPolicy(ctx, input);
    if (!first.ok) throw new Error(first.code);
    expect(first).toMatchObject({
      created: true,
      policy: { model: text.publicName, mode: "describe", visionModel: null },
    });

    const other = await model(ctx, "vl2", true);
    const several = await setVisionPolicy(ctx, { ...input, mode: "route" });
    expect(several).toEqual({
      ok: false,
      code: "VISION_MODEL_REQUIRED",
      candidates: [vl.publicName, other.publicName].sort(),
    });
    const named = await setVisionPolicy(ctx, { ...input, mode: "route", visionModelId: other.id });
    expect(named).toMatchObject({
      ok: true,
      created: false,
      policy: { id: first.ok && first.policy.id, mode: "route" },
    });
    expect(named.ok && named.policy.visionModel).toBe(other.publicName);

    // The gateway's view of the key carries the policy and the organization's vision models.
    const principal = await loadKeyPrincipal(db, key.publicId);
    expect(principal?.vision).toEqual({
      policies: [{ model: text.publicName, mode: "route", visionModel: other.publicName }],
      orgVisionModels: [vl.publicName, other.publicName].sort(),
    });
    expect(await listVisionPolicies(db, ctx.orgId, team.id)).toHaveLength(1);
  });

  it("audits each change with before and after, and announces the team's change", async () => {
    const { ctx, team, text, events } = await setup();
    await model(ctx, "vl", true);
    events.length = 0;
    const set = await setVisionPolicy(ctx, { teamId: team.id, modelId: text.id, mode: "reject" });
    await setVisionPolicy(ctx, { teamId: team.id, modelId: text.id, mode: "describe" });
    expect(events).toEqual([
      { entity: "team", id: team.id },
      { entity: "team", id: team.id },
    ]);
    const audits = await db.auditEvent.findMany({
      where: { orgId: ctx.orgId, action: "vision_policy.set" },
      orderBy: { seq: "asc" },
    });
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ targetId: set.ok && set.policy.id, teamId: team.id, before: null });
    expect(audits[1]?.before).toMatchObject({ mode: "reject" });
    expect(audits[1]?.after).toMatchObject({ mode: "describe" });
  });

  it("refuses what cannot work: other organizations' rows, models that read images, non-vision models", async () => {
    const { ctx, team, text } = await setup();
    const stranger = await setup();
    const vl = await model(ctx, "vl", true);
    expect(await setVisionPolicy(ctx, { teamId: stranger.team.id, modelId: text.id, mode: "reject" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "team",
    });
    expect(await setVisionPolicy(ctx, { teamId: team.id, modelId: stranger.text.id, mode: "reject" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "model",
    });
    expect(await setVisionPolicy(ctx, { teamId: team.id, modelId: vl.id, mode: "reject" })).toEqual({
      ok: false,
      code: "MODEL_READS_IMAGES",
    });
    const notVision = await model(ctx, "plain", false);
    expect(
      await setVisionPolicy(ctx, { teamId: team.id, modelId: text.id, mode: "describe", visionModelId: notVision.id }),
    ).toEqual({ ok: false, code: "NOT_A_VISION_MODEL", model: notVision.publicName });
    await expect(setVisionPolicy(ctx, { teamId: team.id, modelId: text.id, mode: "blur" as never })).rejects.toThrow(
      ZodError,
    );
  });

  it("model changes that move the organization's vision models are announced", async () => {
    const { ctx, events } = await setup();
    const vl = await model(ctx, "vl", true);
    expect(events.at(-1)).toEqual({ entity: "org", id: ctx.orgId });
    events.length = 0;
    await updateModel(ctx, { modelId: vl.id, changes: { maxOutputTokens: 100 } });
    expect(events).toEqual([]);
    await updateModel(ctx, { modelId: vl.id, changes: { supportsVision: false } });
    expect(events).toEqual([{ entity: "org", id: ctx.orgId }]);
  });
});
