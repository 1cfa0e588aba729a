import { type Db, Prisma } from "@perimeter/db";

export interface ApplyRetentionOptions {
  /** Rows deleted per statement: small enough that no statement holds locks or bloats for long. */
  batchSize?: number;
  /** The run stops after this long; the next run carries on where it stopped. */
  timeBudgetMs?: number;
  closing?: AbortSignal;
}

export interface ApplyRetentionResult {
  usageEventsDeleted: number;
  rollupsDeleted: number;
  /** False when the budget ran out (or the worker is closing) before every old row was gone. */
  complete: boolean;
}

/**
 * Deletes each organization's raw usage events older than `usage_retention_days` and rollups older
 * than `rollup_retention_days`, counted in whole UTC days back from today's start (the same cutoff the
 * rollup job uses to freeze buckets), in batches of `batchSize` rows so the tables stay available.
 * Rollups outlive the raw events they summarise, so dashboards keep their history.
 */
export async function applyRetention(db: Db, options: ApplyRetentionOptions = {}): Promise<ApplyRetentionResult> {
  const batchSize = options.batchSize ?? 5_000;
  const deadline = Date.now() + (options.timeBudgetMs ?? 60_000);
  const outOfTime = () => Date.now() > deadline || options.closing?.aborted === true;
  const result: ApplyRetentionResult = { usageEventsDeleted: 0, rollupsDeleted: 0, complete: true };
  const orgs = await db.organization.findMany({
    select: { id: true, usageRetentionDays: true, rollupRetentionDays: true },
    orderBy: { id: "asc" },
  });
  // Each table keeps rows whose time is after the start of the UTC day `days` ago; the column names
  // come from this list, never from input.
  const tables = [
    { table: "usage_events", timeColumn: "event_time", days: "usageRetentionDays", counter: "usageEventsDeleted" },
    { table: "usage_rollups", timeColumn: "bucket_start", days: "rollupRetentionDays", counter: "rollupsDeleted" },
  ] as const;
  for (const org of orgs) {
    for (const { table, timeColumn, days, counter } of tables) {
      for (;;) {
        if (outOfTime()) return { ...result, complete: false };
        const deleted = await db.$executeRaw`
          DELETE FROM ${Prisma.raw(table)} WHERE id IN (
            SELECT id FROM ${Prisma.raw(table)}
            WHERE org_id = ${org.id}
              AND ${Prisma.raw(timeColumn)} < date_trunc('day', now(), 'UTC') - make_interval(days => ${org[days]})
            LIMIT ${batchSize})`;
        result[counter] += deleted;
        if (deleted < batchSize) break;
      }
    }
  }
  return result;
}
