import { newId, randomBase32, type Team } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { slugify, slugSchema } from "./slugify.ts";

export const createTeamInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Defaults to one derived from the name. */
  slug: slugSchema.optional(),
  description: z.string().trim().max(1000).nullish(),
});
export type CreateTeamInput = z.input<typeof createTeamInputSchema>;

export type CreateTeamResult = { ok: true; team: Team } | { ok: false; code: "SLUG_TAKEN" };

/** Creates a team in the context's organization; a slug already used there is SLUG_TAKEN. Audits `team.create`. */
export async function createTeam(ctx: CoreContext, rawInput: CreateTeamInput): Promise<CreateTeamResult> {
  const input = createTeamInputSchema.parse(rawInput);
  const slug = input.slug ?? (slugify(input.name) || `team-${randomBase32(8)}`);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const team = await tx.team.create({
        data: {
          id: newId("team"),
          orgId: ctx.orgId,
          name: input.name,
          slug,
          description: input.description || null,
        },
      });
      await appendAuditEvent(tx, ctx, {
        action: "team.create",
        targetType: "team",
        targetId: team.id,
        teamId: team.id,
        after: team,
      });
      return { ok: true, team } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, "teams_org_id_slug_key")) return { ok: false, code: "SLUG_TAKEN" };
    throw error;
  }
}
