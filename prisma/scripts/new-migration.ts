// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the
// SQL that takes the schema of the last commit (or an empty database) to the current schema.prisma.
// Review the file: hand-written parts (triggers, CHECK constraints) are never generated.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { migrationsDir, readMigrations } from "../src/migrate.ts";
import { renderSchemaSql, schemaPath } from "../src/render-schema-sql.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const existing = await readMigrations();
let from: string | "empty" = "empty";
if (existing.length > 0) {
  // The last committed schema is the one the existing migrations produce (the drift test guarantees it).
  from = execFileSync("git", ["show", `HEAD:prisma/schema.prisma`], {
    cwd: path.dirname(schemaPath),
    encoding: "utf8",
  });
}
const sql = await renderSchemaSql(databaseUrl, { from, to: await readFile(schemaPath, "utf8") });
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log("schema.prisma matches the last commit: no migration needed");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
console.log(`wrote ${path.relative(process.cwd(), path.join(dir, "migration.sql"))}`);
