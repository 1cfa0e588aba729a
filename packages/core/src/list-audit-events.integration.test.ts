import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createTeam } from "./create-team.ts";
import { listAuditEvents } from "./list-audit-events.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("listAuditEvents", () => {
  it("pages newest first with a cursor and filters by action prefix, team and target", async () => {
    const { ctx } = await createTestTenant(db);
    const teams = [];
    for (const name of ["A", "B", "C"]) {
      const team = await createTeam(ctx, { name });
      if (!team.ok) throw new Error(team.code);
      teams.push(team.team);
    }
    const first = await listAuditEvents(db, ctx.orgId, { action: "team.*", limit: 2 });
    expect(first.events.map((e) => e.targetId)).toEqual([teams[2]?.id, teams[1]?.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listAuditEvents(db, ctx.orgId, { action: "team.*", limit: 2, cursor: first.nextCursor ?? "" });
    expect(second.events.map((e) => e.targetId)).toEqual([teams[0]?.id]);
    expect(second.nextCursor).toBeNull();
    const byTeam = await listAuditEvents(db, ctx.orgId, { teamId: teams[1]?.id });
    expect(byTeam.events).toHaveLength(1);
    expect(byTeam.events[0]).not.toHaveProperty("prevHash");
    const all = await listAuditEvents(db, ctx.orgId, {});
    expect(all.events.map((e) => e.action)).toEqual([
      "team.create",
      "team.create",
      "team.create",
      "user.create",
      "org.create",
    ]);
    const other = await createTestTenant(db);
    expect((await listAuditEvents(db, other.ctx.orgId, { action: "team.create" })).events).toEqual([]);
  });

  it("rejects malformed filters", async () => {
    const { ctx } = await createTestTenant(db);
    await expect(listAuditEvents(db, ctx.orgId, { cursor: "abc" })).rejects.toThrow(ZodError);
    await expect(listAuditEvents(db, ctx.orgId, { from: "yesterday" })).rejects.toThrow(ZodError);
    await expect(listAuditEvents(db, ctx.orgId, { limit: 0 })).rejects.toThrow(ZodError);
  });
});
