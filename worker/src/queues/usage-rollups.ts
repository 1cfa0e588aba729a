import type { WorkerServices } from "../services.ts";
import { type RollUpUsageResult, rollUpUsage, usageRollupWatermark } from "../usage/roll-up-usage.ts";
import { type StartedQueue, startQueue } from "./start-queue.ts";

export const usageRollupsQueueName = "usage-rollups";
export const rollupJobName = "rollup";

export interface UsageRollupsOptions {
  everyMs: number;
  safetyMarginMs: number;
  /** One job keeps rolling up capped windows for at most this long, then leaves the rest to the next. */
  runBudgetMs?: number;
}

/**
 * The `usage-rollups` queue: a `rollup` job every `everyMs` that brings hourly and daily rollups up to
 * the ingestion watermark. Correctness does not depend on the cadence: the watermark row lock makes
 * concurrent runs take turns and every run recomputes what is dirty, however late.
 */
export async function startUsageRollups(services: WorkerServices, options: UsageRollupsOptions): Promise<StartedQueue> {
  const runBudgetMs = options.runBudgetMs ?? 20_000;
  services.metrics.addProbe("usage-rollup-lag", async () => {
    const [row] = await services.db.$queryRaw<{ lag: number }[]>`
      SELECT extract(epoch FROM clock_timestamp() - watermark)::float8 AS lag
      FROM job_watermarks WHERE name = ${usageRollupWatermark}`;
    if (row) services.metrics.usageRollupLagSeconds.set(row.lag);
  });
  const queue = await startQueue(services, {
    name: usageRollupsQueueName,
    concurrency: 1,
    schedulers: [{ id: rollupJobName, everyMs: options.everyMs }],
    processors: {
      [rollupJobName]: async (_job, { closing }) => {
        const deadline = Date.now() + runBudgetMs;
        const runs: RollUpUsageResult[] = [];
        do {
          runs.push(await rollUpUsage(services.db, { safetyMarginMs: options.safetyMarginMs }));
        } while (runs.at(-1)?.more && Date.now() < deadline && !closing.aborted);
        return {
          watermark: runs.at(-1)?.to.toISOString(),
          dirtyHours: runs.reduce((sum, run) => sum + run.dirtyHours, 0),
          frozenHours: runs.reduce((sum, run) => sum + run.frozenHours, 0),
        };
      },
    },
  });
  return {
    ...queue,
    async close() {
      services.metrics.removeProbe("usage-rollup-lag");
      await queue.close();
    },
  };
}
