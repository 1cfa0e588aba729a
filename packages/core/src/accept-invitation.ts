import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { currentTime, type DbClient } from "./context.ts";
import { type InvitationState, invitationState } from "./inspect-invitation.ts";
import { hashInvitationToken } from "./invitation-token.ts";
import { hashPassword, minPasswordLength } from "./password.ts";
import { toUserView, type UserView } from "./user-view.ts";

export const acceptInvitationInputSchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: z.string().min(minPasswordLength).max(1024),
  name: z.string().trim().min(1).max(200).optional(),
});
export type AcceptInvitationInput = z.input<typeof acceptInvitationInputSchema>;

export type AcceptInvitationResult = { ok: true; user: UserView } | { ok: false; code: InvitationState };

/**
 * Redeems a sign-up link: sets the invitee's password (argon2id) and name, activates the user and marks
 * the invitation used, in one transaction with the invitation row locked, so a link works exactly once
 * even when submitted twice at the same moment. Expired, superseded or used links change nothing.
 * A bootstrap-style verb: there is no signed-in actor yet, so the invitee is recorded as the actor of
 * `invitation.accept`.
 */
export async function acceptInvitation(
  deps: { db: DbClient; now?: () => Date; request?: { ip?: string; userAgent?: string } },
  rawInput: AcceptInvitationInput,
): Promise<AcceptInvitationResult> {
  const input = acceptInvitationInputSchema.parse(rawInput);
  const tokenHash = hashInvitationToken(input.token);
  // Hashing takes a while; do it before holding a connection in a transaction.
  const passwordHash = await hashPassword(input.password);
  return deps.db.$transaction(async (tx): Promise<AcceptInvitationResult> => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM invitations WHERE token_hash = ${tokenHash} FOR UPDATE`;
    const id = locked[0]?.id;
    if (!id) return { ok: false, code: "INVALID_TOKEN" };
    const invitation = await tx.invitation.findUniqueOrThrow({ where: { id }, include: { user: true } });
    const now = currentTime(deps);
    const state = invitationState(invitation, invitation.user.status, now);
    if (state) return { ok: false, code: state };

    await tx.invitation.update({ where: { id }, data: { acceptedAt: now } });
    const user = await tx.user.update({
      where: { id: invitation.userId },
      data: { passwordHash, status: "active", ...(input.name ? { name: input.name } : {}) },
    });
    const view = toUserView(user);
    await appendAuditEvent(
      tx,
      {
        orgId: invitation.orgId,
        actor: { type: "user", id: user.id, label: user.email },
        request: deps.request,
        now: deps.now,
      },
      {
        action: "invitation.accept",
        targetType: "invitation",
        targetId: id,
        before: toUserView(invitation.user),
        after: view,
      },
    );
    return { ok: true, user: view };
  });
}
