import { readMigrations } from "@perimeter/db/migrate";
import { queryOnce } from "@perimeter/db/query-once";
import { errorMessage } from "@perimeter/runtime";

/**
 * The migrations this image ships that the database has not finished applying (all of them when the
 * migrations table does not exist yet). Throws when the database cannot be reached.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const shipped = (await readMigrations()).map((migration) => migration.name);
  const table = await queryOnce<{ exists: boolean }>(
    databaseUrl,
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
  );
  if (!table.rows[0]?.exists) return shipped;
  const done = await queryOnce<{ migration_name: string }>(
    databaseUrl,
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Set(done.rows.map((row) => row.migration_name));
  return shipped.filter((name) => !applied.has(name));
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  log: (line: string) => void;
  /** What to wait for: a reachable database, or one that holds every shipped migration too. */
  until: "reachable" | "migrated";
}

/**
 * Polls the database until it answers (and, with `until: "migrated"`, has every migration of this
 * image applied), logging what it waits for once per change. Resolves true when that happened within
 * `timeoutMs`, false otherwise; never throws.
 */
export async function waitForDatabase(databaseUrl: string, options: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let lastReason = "";
  for (;;) {
    let reason: string;
    try {
      const pending = options.until === "migrated" ? await pendingMigrations(databaseUrl) : [];
      if (options.until === "reachable") await queryOnce(databaseUrl, "SELECT 1");
      if (pending.length === 0) return true;
      reason = `waiting for ${pending.length} migration(s) to be applied: ${pending.join(", ")}`;
    } catch (error) {
      reason = `waiting for the database: ${errorMessage(error)}`;
    }
    if (reason !== lastReason) options.log(reason);
    lastReason = reason;
    if (Date.now() + options.intervalMs > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
