import type { CoreContext } from "./context.ts";
import { type ExportView, toExportView } from "./export-view.ts";

export type GetExportResult = { ok: true; export: ExportView } | { ok: false; code: "NOT_FOUND" };

/**
 * One export of the context's organization with its progress and, once succeeded, its file and
 * manifest names (relative to `PERIMETER_EXPORT_DIR`), row count and SHA-256. Another organization's
 * export is NOT_FOUND.
 */
export async function getExport(ctx: Pick<CoreContext, "db" | "orgId">, exportId: string): Promise<GetExportResult> {
  const row = await ctx.db.exportJob.findFirst({ where: { id: exportId, orgId: ctx.orgId } });
  return row ? { ok: true, export: toExportView(row) } : { ok: false, code: "NOT_FOUND" };
}
