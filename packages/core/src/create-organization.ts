import { newId, type Organization, randomBase32 } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { Actor, DbClient } from "./context.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { slugify, slugSchema } from "./slugify.ts";
import { timeZoneSchema } from "./time-zone-schema.ts";

export const createOrganizationInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema.optional(),
  /** IANA zone in which budgets reset; stored in its canonical spelling (`utc` → `UTC`). */
  timeZone: timeZoneSchema.default("UTC"),
});
export type CreateOrganizationInput = z.input<typeof createOrganizationInputSchema>;

export type CreateOrganizationResult = { ok: true; org: Organization } | { ok: false; code: "SLUG_TAKEN" };

const bootstrapActor: Actor = { type: "system", label: "bootstrap" };

/**
 * Creates an organization. A bootstrap verb: there is no organization yet to act in, so it takes a
 * client rather than a context and records `org.create` by the system as the first event of the new
 * organization's audit chain. The slug defaults to one derived from the name; a taken slug is
 * SLUG_TAKEN.
 */
export async function createOrganization(
  db: DbClient,
  rawInput: CreateOrganizationInput,
): Promise<CreateOrganizationResult> {
  const input = createOrganizationInputSchema.parse(rawInput);
  const slug = input.slug ?? (slugify(input.name) || `org-${randomBase32(8)}`);
  try {
    return await db.$transaction(async (tx) => {
      const org = await tx.organization.create({
        data: { id: newId("org"), name: input.name, slug, timeZone: input.timeZone },
      });
      const audit = { orgId: org.id, actor: bootstrapActor };
      await appendAuditEvent(tx, audit, {
        action: "org.create",
        targetType: "organization",
        targetId: org.id,
        after: org,
      });
      return { ok: true, org } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, "organizations_slug_key")) return { ok: false, code: "SLUG_TAKEN" };
    throw error;
  }
}
