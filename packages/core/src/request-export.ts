import { newId, type Prisma } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import {
  type ExportQueue,
  exportFilterSchema,
  exportFormats,
  exportJobName,
  exportJobOptions,
  exportKinds,
} from "./export-contract.ts";
import { type ExportView, toExportView } from "./export-view.ts";

export const requestExportInputSchema = z
  .strictObject({
    kind: z.enum(exportKinds),
    format: z.enum(exportFormats).default("csv"),
    filter: exportFilterSchema,
  })
  .superRefine((input, issues) => {
    if (input.kind === "audit_events" && input.filter.model !== undefined) {
      issues.addIssue({ code: "custom", path: ["filter", "model"], message: "does not apply to audit events" });
    }
    if (input.kind !== "usage_rollups" && input.filter.granularity !== undefined) {
      issues.addIssue({ code: "custom", path: ["filter", "granularity"], message: "applies to usage_rollups only" });
    }
  });
export type RequestExportInput = z.input<typeof requestExportInputSchema>;

export type RequestExportResult = { ok: true; export: ExportView };

/**
 * Records an export request (status `queued`, the filter, who asked) with its `export.request` audit
 * event, then enqueues the job on `queue` (a BullMQ Queue named `exportQueueName`, prefix
 * `perimeter`). The job id is the export id, so a second enqueue is a no-op. If Redis cannot take the
 * job the request still stands: the worker's sweep enqueues exports left `queued` within a minute.
 */
export async function requestExport(
  ctx: CoreContext,
  rawInput: RequestExportInput,
  queue: ExportQueue,
): Promise<RequestExportResult> {
  const input = requestExportInputSchema.parse(rawInput);
  const row = await ctx.db.$transaction(async (tx) => {
    const created = await tx.exportJob.create({
      data: {
        id: newId("exportJob"),
        orgId: ctx.orgId,
        kind: input.kind,
        format: input.format,
        params: input.filter as Prisma.InputJsonObject,
        requestedByUserId: ctx.actor.type === "user" ? ctx.actor.id : null,
        requestedByActor: ctx.actor as Prisma.InputJsonObject,
      },
    });
    await appendAuditEvent(tx, ctx, {
      action: "export.request",
      targetType: "export",
      targetId: created.id,
      teamId: input.filter.teamId ?? null,
      after: { kind: input.kind, format: input.format, filter: input.filter },
    });
    return created;
  });
  try {
    await queue.add(exportJobName, { exportId: row.id, orgId: ctx.orgId }, exportJobOptions(row.id));
  } catch {
    // Deliberately not an error for the caller: the request is committed and the sweep picks it up.
  }
  return { ok: true, export: toExportView(row) };
}
