import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { MigrationError, migrate } from "../src/migrate.ts";
import { queryOnce } from "../src/query-once.ts";
import { createScratchDatabase, type ScratchDatabase } from "../src/scratch-database.ts";

const serverUrl = inject("postgresServerUrl");
const databases: ScratchDatabase[] = [];
const dirs: string[] = [];

async function scratch(): Promise<{ url: string; dir: string }> {
  const database = await createScratchDatabase(serverUrl, "perimeter_migrate");
  databases.push(database);
  const dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-migrations-"));
  dirs.push(dir);
  return { url: database.url, dir };
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, "migration.sql"), sql);
}

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("migrate", () => {
  it("applies folders in name order and only the new ones on the next run", async () => {
    const { url, dir } = await scratch();
    await addMigration(dir, "20260101000000_b", `ALTER TABLE "t" ADD COLUMN "b" int;`);
    await addMigration(dir, "20250101000000_a", `CREATE TABLE "t" ("a" int);`);
    expect(await migrate(url, { dir })).toEqual({
      applied: ["20250101000000_a", "20260101000000_b"],
      alreadyApplied: [],
    });
    await addMigration(dir, "20270101000000_c", `ALTER TABLE "t" ADD COLUMN "c" int;`);
    expect((await migrate(url, { dir })).applied).toEqual(["20270101000000_c"]);
  });

  it("rolls back a failing migration whole and records nothing for it", async () => {
    const { url, dir } = await scratch();
    await addMigration(dir, "20250101000000_a", `CREATE TABLE "ok" ("a" int);`);
    await addMigration(dir, "20250102000000_bad", `CREATE TABLE "half" ("a" int); SELECT no_such_function();`);
    await expect(migrate(url, { dir })).rejects.toThrow(/20250102000000_bad failed: .*no_such_function/);
    const tables = await queryOnce(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.rows.map((r) => r.tablename)).toEqual(["_prisma_migrations", "ok"]);
    const recorded = await queryOnce(url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(recorded.rows.map((r) => r.migration_name)).toEqual(["20250101000000_a"]);
  });

  it("refuses to continue when an applied migration was edited", async () => {
    const { url, dir } = await scratch();
    await addMigration(dir, "20250101000000_a", `CREATE TABLE "t" ("a" int);`);
    await migrate(url, { dir });
    await addMigration(dir, "20250101000000_a", `CREATE TABLE "t" ("a" bigint);`);
    const attempt = migrate(url, { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/20250101000000_a was edited after it was applied/);
  });

  it("lets concurrent migrators apply each migration exactly once", async () => {
    const { url, dir } = await scratch();
    await addMigration(dir, "20250101000000_a", `CREATE TABLE "t" ("a" int);`);
    const results = await Promise.all([migrate(url, { dir }), migrate(url, { dir }), migrate(url, { dir })]);
    expect(results.flatMap((r) => r.applied)).toEqual(["20250101000000_a"]);
    const recorded = await queryOnce(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(recorded.rows[0]?.n).toBe(1);
  });
});
