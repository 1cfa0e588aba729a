import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** prisma/migrations, resolved on use so that importing this module touches nothing. */
export function migrationsDir(): string {
  return path.join(import.meta.dirname, "..", "migrations");
}

export interface MigrationFile {
  name: string;
  sql: string;
  /** SHA-256 of the file's bytes, as Prisma records it in `_prisma_migrations.checksum`. */
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/** Same table Prisma's schema engine creates, so `prisma migrate status|deploy` agree with us. */
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Arbitrary constant: every migrator in every process serialises on it, so two `npm start`s or two
// gateway replicas booting together never apply the same migration twice.
const migrationLockKey = 7_243_001;

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Reads `prisma/migrations/<timestamp>_<name>/migration.sql` in Prisma's order (by folder name). */
export async function readMigrations(dir: string = migrationsDir()): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

/**
 * Applies pending SQL migrations without Prisma's native engine, each in its own transaction, and
 * records them exactly as `prisma migrate deploy` would. Refuses to continue when a migration that was
 * already applied has since been edited or a previous attempt failed half-way.
 */
export async function migrate(
  databaseUrl: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const files = await readMigrations(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    await client.query(createMigrationsTable);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`);
    const recorded = new Map(rows.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row]));

    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      const row = recorded.get(file.name);
      if (row) {
        if (row.finished_at === null) {
          throw new MigrationError(
            `migration ${file.name} failed earlier and was never completed; fix the database and mark it rolled back`,
          );
        }
        if (row.checksum !== file.checksum) {
          throw new MigrationError(
            `migration ${file.name} was edited after it was applied; add a new migration instead`,
          );
        }
        result.alreadyApplied.push(file.name);
        continue;
      }
      const startedAt = new Date();
      try {
        await client.query("BEGIN");
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), file.checksum, file.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`);
      }
      log(`applied migration ${file.name}`);
      result.applied.push(file.name);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => {});
    await client.end();
  }
}
