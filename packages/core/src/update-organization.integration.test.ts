import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateOrganization } from "./update-organization.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("updateOrganization", () => {
  it("changes only the given settings, canonicalises the time zone and audits before/after", async () => {
    const { ctx } = await createTestTenant(db);
    const result = await updateOrganization(ctx, { timeZone: "europe/paris", weekStartsOn: 7 });
    expect(result).toMatchObject({ ok: true, changed: true, org: { timeZone: "Europe/Paris", weekStartsOn: 7 } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: ctx.orgId, action: "org.update" } });
    expect(event.before).toMatchObject({ timeZone: "UTC", weekStartsOn: 1 });
    expect(await updateOrganization(ctx, { weekStartsOn: 7 })).toMatchObject({ ok: true, changed: false });
  });

  it("rejects bad values and keeps rollups at least as long as raw events, writing nothing", async () => {
    const { ctx } = await createTestTenant(db);
    await expect(updateOrganization(ctx, { timeZone: "Mars/Olympus" })).rejects.toThrow(ZodError);
    await expect(updateOrganization(ctx, { weekStartsOn: 8 })).rejects.toThrow(ZodError);
    await expect(updateOrganization(ctx, { usageRetentionDays: 30, rollupRetentionDays: 10 })).rejects.toThrow(
      ZodError,
    );
    expect(await updateOrganization(ctx, { rollupRetentionDays: 10 })).toEqual({
      ok: false,
      code: "ROLLUPS_SHORTER_THAN_EVENTS",
    });
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "org.update" } })).toBe(0);
  });
});
