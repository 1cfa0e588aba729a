import type { Db } from "@perimeter/db";

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
  for (const org of orgs) {
    for (;;) {
      if (outOfTime()) return { ...result, complete: false };
      const deleted = await db.$executeRaw`
        DELETE FROM usage_events WHERE id IN (
          SELECT id FROM usage_events
          WHERE org_id = ${org.id}
            AND event_time < date_trunc('day', now(), 'UTC') - make_interval(days => ${org.usageRetentionDays})
          LIMIT ${batchSize})`;
      result.usageEventsDeleted += deleted;
      if (deleted < batchSize) break;
    }
    for (;;) {
      if (outOfTime()) return { ...result, complete: false };
      const deleted = await db.$executeRaw`
        DELETE FROM usage_rollups WHERE id IN (
          SELECT id FROM usage_rollups
          WHERE org_id = ${org.id}
            AND bucket_start < date_trunc('day', now(), 'UTC') - make_interval(days => ${org.rollupRetentionDays})
          LIMIT ${batchSize})`;
      result.rollupsDeleted += deleted;
      if (deleted < batchSize) break;
    }
  }
  return result;
}
