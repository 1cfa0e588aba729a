import { createDb, type Db } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { afterAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "./password.ts";
import { seedFirstAdmin } from "./seed-first-admin.ts";
import { testKeyPepper } from "./testing/create-test-tenant.ts";
import { verifyApiKey } from "./verify-api-key.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

// seedFirstAdmin looks at the whole database ("is there any organization?"), so each test gets a
// database of its own instead of the shared one where other tests create organizations.
const serverUrl = inject("postgresServerUrl");
const scratch: { database: ScratchDatabase; db: Db }[] = [];

async function scratchDb(): Promise<Db> {
  const database = await createScratchDatabase(serverUrl, "perimeter_core_seed");
  await migrate(database.url);
  const db = createDb(database.url);
  scratch.push({ database, db });
  return db;
}

afterAll(async () => {
  for (const { database, db } of scratch) {
    await db.$disconnect();
    await database.drop();
  }
});

async function rowCounts(db: Db) {
  return {
    organizations: await db.organization.count(),
    users: await db.user.count(),
    teams: await db.team.count(),
    members: await db.teamMember.count(),
    apiKeys: await db.apiKey.count(),
    auditEvents: await db.auditEvent.count(),
  };
}

const input = {
  keyPepper: testKeyPepper,
  orgName: "Acme Robotics",
  email: "Admin@Acme.test",
  password: "a long first password",
};

describe("seedFirstAdmin", () => {
  it("seeds org, admin, Default team and a starter key once; a second run changes nothing", async () => {
    const db = await scratchDb();
    const first = await seedFirstAdmin(db, input);
    if (!first.created) throw new Error("expected the first run to seed");
    expect(first.org).toMatchObject({ name: "Acme Robotics", slug: "acme-robotics" });
    expect(first.admin).toMatchObject({ email: "admin@acme.test", orgRole: "admin", name: "Administrator" });
    const afterFirst = await rowCounts(db);
    expect(afterFirst).toEqual({ organizations: 1, users: 1, teams: 1, members: 1, apiKeys: 1, auditEvents: 5 });

    const team = await db.team.findFirstOrThrow();
    expect(team.name).toBe("Default");
    expect(await db.teamMember.findFirstOrThrow()).toMatchObject({
      teamId: team.id,
      userId: first.admin.id,
      role: "team_admin",
    });
    const starter = await verifyApiKey({ db, keyPepper: testKeyPepper }, first.starterKeySecret);
    expect(starter).toMatchObject({
      ok: true,
      key: { name: "claude-code", scope: "inference", teamId: team.id, ownerUserId: first.admin.id },
    });

    const admin = await db.user.findUniqueOrThrow({ where: { id: first.admin.id } });
    expect(await verifyPassword(input.password, admin.passwordHash ?? "")).toBe(true);
    expect(await verifyAuditChain(db, first.org.id)).toMatchObject({ ok: true, count: 5 });

    const second = await seedFirstAdmin(db, { ...input, orgName: "Other", email: "other@acme.test" });
    expect(second).toEqual({ created: false, org: first.org, admin: first.admin });
    expect(second).not.toHaveProperty("starterKeySecret");
    expect(await rowCounts(db)).toEqual(afterFirst);
  });

  it("seeds exactly once when several processes start together", async () => {
    const db = await scratchDb();
    const results = await Promise.all([
      seedFirstAdmin(db, input),
      seedFirstAdmin(db, input),
      seedFirstAdmin(db, input),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await rowCounts(db)).toMatchObject({ organizations: 1, users: 1, apiKeys: 1 });
  });

  it("rolls back everything when a step fails", async () => {
    const db = await scratchDb();
    await expect(seedFirstAdmin(db, { ...input, password: "too short" })).rejects.toThrow(/password/);
    expect(await rowCounts(db)).toEqual({
      organizations: 0,
      users: 0,
      teams: 0,
      members: 0,
      apiKeys: 0,
      auditEvents: 0,
    });
    expect((await seedFirstAdmin(db, input)).created).toBe(true);
  });
});
