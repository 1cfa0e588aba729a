import type { CoreContext } from "./context.ts";
import { currentTime } from "./context.ts";
import { type ExportView, toExportView } from "./export-view.ts";

export type StartExportResult =
  | { ok: true; export: ExportView }
  | { ok: false; code: "NOT_FOUND" | "ALREADY_FINISHED" };

/**
 * Marks an export `running` for the worker that picked its job up, restarting it from zero rows when
 * a previous attempt died half-way. An export that already succeeded or failed is ALREADY_FINISHED, so
 * a job delivered twice never writes twice. Bookkeeping only: the request and the outcome are what
 * the audit trail records.
 */
export async function startExport(
  ctx: Pick<CoreContext, "db" | "orgId" | "now">,
  exportId: string,
): Promise<StartExportResult> {
  const started = await ctx.db.exportJob.updateMany({
    where: { id: exportId, orgId: ctx.orgId, status: { in: ["queued", "running"] } },
    data: { status: "running", startedAt: currentTime(ctx), rowsWritten: 0, error: null },
  });
  const row = await ctx.db.exportJob.findFirst({ where: { id: exportId, orgId: ctx.orgId } });
  if (!row) return { ok: false, code: "NOT_FOUND" };
  if (started.count === 0) return { ok: false, code: "ALREADY_FINISHED" };
  return { ok: true, export: toExportView(row) };
}
