import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";

export const failExportInputSchema = z.strictObject({
  exportId: z.string().min(1),
  error: z.string().min(1).max(2000),
});
export type FailExportInput = z.input<typeof failExportInputSchema>;

export type FailExportResult = { ok: true } | { ok: false; code: "NOT_FOUND" | "ALREADY_FINISHED" };

/**
 * Marks a queued or running export `failed` with the reason after its last attempt, and audits
 * `export.fail`. An export that already succeeded is left alone (ALREADY_FINISHED).
 */
export async function failExport(
  ctx: Pick<CoreContext, "db" | "orgId" | "actor" | "request" | "now">,
  rawInput: FailExportInput,
): Promise<FailExportResult> {
  const input = failExportInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.exportJob.updateMany({
      where: { id: input.exportId, orgId: ctx.orgId, status: { in: ["queued", "running"] } },
      data: { status: "failed", finishedAt: currentTime(ctx), error: input.error },
    });
    if (updated.count === 0) {
      const exists = await tx.exportJob.count({ where: { id: input.exportId, orgId: ctx.orgId } });
      return { ok: false, code: exists ? "ALREADY_FINISHED" : "NOT_FOUND" } as const;
    }
    await appendAuditEvent(tx, ctx, {
      action: "export.fail",
      targetType: "export",
      targetId: input.exportId,
      after: { error: input.error },
    });
    return { ok: true } as const;
  });
}
