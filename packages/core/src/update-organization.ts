import type { Organization } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { publishChange } from "./publish-change.ts";
import { timeZoneSchema } from "./time-zone-schema.ts";

const days = z.int().min(1).max(36_500);

export const updateOrganizationInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    /** IANA zone in which daily/weekly/monthly budgets reset. */
    timeZone: timeZoneSchema.optional(),
    /** First day of the budget week, ISO numbering (1 = Monday … 7 = Sunday). */
    weekStartsOn: z.int().min(1).max(7).optional(),
    usageRetentionDays: days.optional(),
    rollupRetentionDays: days.optional(),
  })
  .refine(
    (input) =>
      input.usageRetentionDays === undefined ||
      input.rollupRetentionDays === undefined ||
      input.rollupRetentionDays >= input.usageRetentionDays,
    { message: "rollups must be kept at least as long as raw usage events", path: ["rollupRetentionDays"] },
  );
export type UpdateOrganizationInput = z.input<typeof updateOrganizationInputSchema>;

export type UpdateOrganizationResult =
  | { ok: true; org: Organization; changed: boolean }
  | { ok: false; code: "ROLLUPS_SHORTER_THAN_EVENTS" };

/**
 * Changes the context organization's name, budget calendar (time zone, week start) or retention,
 * leaving omitted settings as they are. Rollups must be kept at least as long as raw events
 * (ROLLUPS_SHORTER_THAN_EVENTS otherwise). Audits `org.update` with before and after when anything changed.
 */
export async function updateOrganization(
  ctx: CoreContext,
  rawInput: UpdateOrganizationInput,
): Promise<UpdateOrganizationResult> {
  const input = updateOrganizationInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx): Promise<UpdateOrganizationResult> => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId } });
    const rollupRetentionDays = input.rollupRetentionDays ?? before.rollupRetentionDays;
    const usageRetentionDays = input.usageRetentionDays ?? before.usageRetentionDays;
    // Checked against the stored values too, so changing one field alone cannot break the rule.
    if (rollupRetentionDays < usageRetentionDays) return { ok: false, code: "ROLLUPS_SHORTER_THAN_EVENTS" };
    const changes = Object.fromEntries(
      Object.entries(input).filter(([field, value]) => before[field as keyof Organization] !== value),
    );
    if (Object.keys(changes).length === 0) return { ok: true, org: before, changed: false };
    const org = await tx.organization.update({ where: { id: ctx.orgId }, data: changes });
    await appendAuditEvent(tx, ctx, {
      action: "org.update",
      targetType: "organization",
      targetId: org.id,
      before,
      after: org,
    });
    return { ok: true, org, changed: true };
  });
  // The time zone and week start decide budget periods, which gateways cache with each key.
  if (result.ok && result.changed) await publishChange(ctx, { entity: "org", id: ctx.orgId });
  return result;
}
