import { type ExportQueue, exportJobName, exportJobOptions } from "@perimeter/core";
import type { Db } from "@perimeter/db";

/** Exports queued longer than this without running are assumed never to have reached the queue. */
export const unqueuedExportAfterMs = 60_000;

/**
 * Enqueues exports that are still `queued` a minute after they were requested: `requestExport`
 * commits the request before it enqueues, so a Redis hiccup in between leaves an export without a
 * job. The job id is the export id, so an export whose job does exist is not enqueued twice.
 */
export async function sweepExports(db: Db, queue: ExportQueue): Promise<{ enqueued: number }> {
  const stale = await db.exportJob.findMany({
    where: { status: "queued", createdAt: { lt: new Date(Date.now() - unqueuedExportAfterMs) } },
    select: { id: true, orgId: true },
    orderBy: { createdAt: "asc" },
    take: 1_000,
  });
  for (const row of stale) {
    await queue.add(exportJobName, { exportId: row.id, orgId: row.orgId }, exportJobOptions(row.id));
  }
  return { enqueued: stale.length };
}
