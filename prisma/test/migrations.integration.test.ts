import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate } from "../src/migrate.ts";
import { prismaMigrateStatus, renderSchemaSql } from "../src/prisma6-cli.ts";
import { queryOnce } from "../src/query-once.ts";
import { diffSnapshots, snapshotSchema } from "../src/schema-snapshot.ts";
import { createScratchDatabase, type ScratchDatabase } from "../src/scratch-database.ts";

// Objects the migrations add by hand because schema.prisma cannot express them. They are excluded from
// the comparison and asserted to exist instead.
const handWritten = [
  "limit_policies_target_check",
  "limit_policies_one_org_policy",
  "api_keys_team_check",
  "audit_events_append_only",
  "audit_events_no_truncate",
];
const ignored = new Set([...handWritten, "_prisma_migrations"]);

const serverUrl = inject("postgresServerUrl");
const created: ScratchDatabase[] = [];

async function scratchDatabase(): Promise<string> {
  const database = await createScratchDatabase(serverUrl, "perimeter_drift");
  created.push(database);
  return database.url;
}

let fromMigrations: string;
let fromSchema: string;

beforeAll(async () => {
  [fromMigrations, fromSchema] = await Promise.all([scratchDatabase(), scratchDatabase()]);
  await migrate(fromMigrations);
  await queryOnce(fromSchema, await renderSchemaSql(serverUrl));
}, 120_000);

afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

describe("migrations", () => {
  it("produce exactly the structure schema.prisma describes", async () => {
    const drift = diffSnapshots(
      await snapshotSchema(fromMigrations, ignored),
      await snapshotSchema(fromSchema, ignored),
    );
    expect(drift, "schema.prisma and prisma/migrations disagree: run `npm run db:migration -- <name>`").toEqual([]);
  });

  it("detect drift: a column the schema lacks is named", async () => {
    const db = await scratchDatabase();
    await migrate(db);
    await queryOnce(db, `ALTER TABLE "teams" ADD COLUMN "color" TEXT`);
    const drift = diffSnapshots(await snapshotSchema(db, ignored), await snapshotSchema(fromSchema, ignored));
    expect(drift).toEqual([expect.stringMatching(/^- column teams\.color text/)]);
  });

  it("add the hand-written constraints and triggers", async () => {
    const all = (await snapshotSchema(fromMigrations)).join("\n");
    for (const name of handWritten) expect(all).toContain(name);
  });

  it("are recorded the way `prisma migrate deploy` records them, and re-running applies nothing", async () => {
    const again = await migrate(fromMigrations);
    expect(again.applied).toEqual([]);
    const { rows } = await queryOnce(
      fromMigrations,
      `SELECT migration_name, length(checksum) AS checksum_length, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations"`,
    );
    expect(rows).toEqual(
      again.alreadyApplied.map((name) => ({
        migration_name: name,
        checksum_length: 64,
        finished: true,
        applied_steps_count: 1,
      })),
    );
  });

  it("satisfy `prisma migrate status`, which notices a migration that is not applied", async () => {
    const [applied, pending] = await Promise.all([
      prismaMigrateStatus(fromMigrations),
      scratchDatabase().then(prismaMigrateStatus),
    ]);
    expect(applied.output).toContain("Database schema is up to date");
    expect(applied.upToDate).toBe(true);
    expect(pending.upToDate).toBe(false);
    expect(pending.output).toMatch(/not yet been applied/);
  });
});
