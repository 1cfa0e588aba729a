import { newId, type TeamMember } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";

export const addMemberInputSchema = z.strictObject({
  teamId: z.string().min(1),
  userId: z.string().min(1),
  role: z.enum(["team_admin", "developer"]).default("developer"),
});
export type AddMemberInput = z.input<typeof addMemberInputSchema>;

export type AddMemberResult =
  | { ok: true; member: TeamMember }
  | { ok: false; code: "NOT_FOUND"; entity: "team" | "user" }
  | { ok: false; code: "TEAM_ARCHIVED" | "USER_DISABLED" | "ALREADY_MEMBER" };

/**
 * Adds a user of the context's organization to one of its teams with a team role. A team or user of
 * another organization is NOT_FOUND, as if it did not exist. Audits `team_member.add`.
 */
export async function addMember(ctx: CoreContext, rawInput: AddMemberInput): Promise<AddMemberResult> {
  const input = addMemberInputSchema.parse(rawInput);
  try {
    return await ctx.db.$transaction(async (tx): Promise<AddMemberResult> => {
      const team = await tx.team.findFirst({ where: { id: input.teamId, orgId: ctx.orgId } });
      if (!team) return { ok: false, code: "NOT_FOUND", entity: "team" };
      if (team.archivedAt) return { ok: false, code: "TEAM_ARCHIVED" };
      const user = await tx.user.findFirst({ where: { id: input.userId, orgId: ctx.orgId } });
      if (!user) return { ok: false, code: "NOT_FOUND", entity: "user" };
      if (user.status === "disabled") return { ok: false, code: "USER_DISABLED" };
      const member = await tx.teamMember.create({
        data: { id: newId("member"), teamId: team.id, userId: user.id, role: input.role },
      });
      await appendAuditEvent(tx, ctx, {
        action: "team_member.add",
        targetType: "team_member",
        targetId: member.id,
        teamId: team.id,
        after: { ...member, userEmail: user.email },
      });
      return { ok: true, member };
    });
  } catch (error) {
    if (isUniqueViolation(error, "team_members_team_id_user_id_key")) return { ok: false, code: "ALREADY_MEMBER" };
    throw error;
  }
}
