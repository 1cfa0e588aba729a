import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { type ExportView, toExportView } from "./export-view.ts";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256");

export const completeExportInputSchema = z.strictObject({
  exportId: z.string().min(1),
  rowCount: z.int().min(0),
  fileBytes: z.int().min(0),
  sha256: sha256Hex,
  fileName: z.string().min(1),
  manifestFileName: z.string().min(1),
  manifestSha256: sha256Hex,
});
export type CompleteExportInput = z.input<typeof completeExportInputSchema>;

export type CompleteExportResult = { ok: true; export: ExportView } | { ok: false; code: "NOT_RUNNING" };

/**
 * Marks a running export `succeeded` with its row count, size and file hashes, and audits
 * `export.complete` with the SHA-256 of both the file and the manifest, so the hash chain vouches for
 * the files as written. An export that is not running (finished by another attempt) is NOT_RUNNING.
 */
export async function completeExport(
  ctx: Pick<CoreContext, "db" | "orgId" | "actor" | "request" | "now">,
  rawInput: CompleteExportInput,
): Promise<CompleteExportResult> {
  const input = completeExportInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.exportJob.updateMany({
      where: { id: input.exportId, orgId: ctx.orgId, status: "running" },
      data: {
        status: "succeeded",
        finishedAt: currentTime(ctx),
        rowsWritten: BigInt(input.rowCount),
        rowCount: BigInt(input.rowCount),
        fileBytes: BigInt(input.fileBytes),
        sha256: input.sha256,
        fileLocation: input.fileName,
        manifestLocation: input.manifestFileName,
      },
    });
    if (updated.count === 0) return { ok: false, code: "NOT_RUNNING" } as const;
    const row = await tx.exportJob.findUniqueOrThrow({ where: { id: input.exportId } });
    await appendAuditEvent(tx, ctx, {
      action: "export.complete",
      targetType: "export",
      targetId: row.id,
      after: {
        kind: row.kind,
        format: row.format,
        rowCount: input.rowCount,
        fileBytes: input.fileBytes,
        sha256: input.sha256,
        manifestSha256: input.manifestSha256,
        fileName: input.fileName,
        manifestFileName: input.manifestFileName,
      },
    });
    return { ok: true, export: toExportView(row) } as const;
  });
}
