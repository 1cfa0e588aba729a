// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the
// SQL that takes the schema the existing migrations produce (or an empty database) to schema.prisma.
// Review the file: hand-written parts (triggers, CHECK constraints) are never generated.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { migrationsDir, readMigrations } from "../src/migrate.ts";
import { renderSchemaSql, schemaPath } from "../src/prisma6-cli.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const existing = await readMigrations();
let from: string | undefined;
if (existing.length > 0) {
  // The schema as of the last commit that touched the migrations is the one they produce: the drift test
  // keeps the two equal on every commit that lands.
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: path.dirname(schemaPath), encoding: "utf8" }).trim();
  const commit = git("log", "-1", "--format=%H", "--", "migrations") || "HEAD";
  from = git("show", `${commit}:prisma/schema.prisma`);
}
const sql = await renderSchemaSql(databaseUrl, { from });
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log("schema.prisma matches the last commit: no migration needed");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir(), `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
console.log(`wrote ${path.relative(process.cwd(), path.join(dir, "migration.sql"))}`);
