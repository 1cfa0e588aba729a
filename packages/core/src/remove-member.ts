import type { TeamMember } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { publishChange } from "./publish-change.ts";
import { revokeLiveKeys } from "./revoke-live-keys.ts";

export const removeMemberInputSchema = z.strictObject({ memberId: z.string().min(1) });
export type RemoveMemberInput = z.input<typeof removeMemberInputSchema>;

export type RemoveMemberResult =
  | { ok: true; member: TeamMember; revokedKeyIds: string[] }
  | { ok: false; code: "NOT_FOUND" };

/**
 * Removes a member from their team and, in the same transaction, revokes every live key they own in
 * that team (a key must not outlive its owner's membership). The member's limit policy goes with the
 * membership. A member of another organization is NOT_FOUND. Audits `api_key.revoke` per key and
 * `team_member.remove`. Callers that cache keys (the gateway) must be told after the commit.
 */
export async function removeMember(ctx: CoreContext, rawInput: RemoveMemberInput): Promise<RemoveMemberResult> {
  const input = removeMemberInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx): Promise<RemoveMemberResult> => {
    const member = await tx.teamMember.findFirst({
      where: { id: input.memberId, team: { orgId: ctx.orgId } },
      include: { user: { select: { email: true } } },
    });
    if (!member) return { ok: false, code: "NOT_FOUND" };
    const revokedKeyIds = await revokeLiveKeys(
      tx,
      ctx,
      { teamId: member.teamId, ownerUserId: member.userId },
      "owner removed from team",
    );
    const { user, ...row } = member;
    await tx.teamMember.delete({ where: { id: member.id } });
    await appendAuditEvent(tx, ctx, {
      action: "team_member.remove",
      targetType: "team_member",
      targetId: member.id,
      teamId: member.teamId,
      before: { ...row, userEmail: user.email },
      after: { revokedKeyIds },
    });
    return { ok: true, member: row, revokedKeyIds };
  });
  // The member's keys in the team were revoked: gateways must stop them at once.
  if (result.ok) await publishChange(ctx, { entity: "member", id: result.member.id });
  return result;
}
