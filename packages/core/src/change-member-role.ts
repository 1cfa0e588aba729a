import type { TeamMember } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";

export const changeMemberRoleInputSchema = z.strictObject({
  memberId: z.string().min(1),
  role: z.enum(["team_admin", "developer"]),
});
export type ChangeMemberRoleInput = z.input<typeof changeMemberRoleInputSchema>;

export type ChangeMemberRoleResult =
  | { ok: true; member: TeamMember; changed: boolean }
  | { ok: false; code: "NOT_FOUND" };

/**
 * Sets a team member's role. A member of a team of another organization is NOT_FOUND. Setting the role
 * a member already has changes nothing and writes no event; otherwise audits `team_member.update`.
 */
export async function changeMemberRole(
  ctx: CoreContext,
  rawInput: ChangeMemberRoleInput,
): Promise<ChangeMemberRoleResult> {
  const input = changeMemberRoleInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx): Promise<ChangeMemberRoleResult> => {
    const member = await tx.teamMember.findFirst({ where: { id: input.memberId, team: { orgId: ctx.orgId } } });
    if (!member) return { ok: false, code: "NOT_FOUND" };
    if (member.role === input.role) return { ok: true, member, changed: false };
    const updated = await tx.teamMember.update({ where: { id: member.id }, data: { role: input.role } });
    await appendAuditEvent(tx, ctx, {
      action: "team_member.update",
      targetType: "team_member",
      targetId: member.id,
      teamId: member.teamId,
      before: member,
      after: updated,
    });
    return { ok: true, member: updated, changed: true };
  });
}
