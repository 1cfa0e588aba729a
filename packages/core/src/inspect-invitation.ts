import { currentTime, type DbClient } from "./context.ts";
import { hashInvitationToken } from "./invitation-token.ts";

export type InvitationState = "INVALID_TOKEN" | "EXPIRED" | "ALREADY_USED" | "SUPERSEDED" | "USER_DISABLED";

export type InspectInvitationResult =
  | { ok: true; invitationId: string; email: string; name: string; orgName: string; expiresAt: Date }
  | { ok: false; code: InvitationState };

/**
 * Looks up the invitation behind a link's token without changing anything, for the accept page to
 * greet the invitee or explain why the link no longer works. An unknown token is INVALID_TOKEN.
 */
export async function inspectInvitation(
  deps: { db: DbClient; now?: () => Date },
  token: string,
): Promise<InspectInvitationResult> {
  if (token.length === 0 || token.length > 200) return { ok: false, code: "INVALID_TOKEN" };
  const invitation = await deps.db.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    include: { user: true, org: { select: { name: true } } },
  });
  if (!invitation) return { ok: false, code: "INVALID_TOKEN" };
  const state = invitationState(invitation, invitation.user.status, currentTime(deps));
  if (state) return { ok: false, code: state };
  return {
    ok: true,
    invitationId: invitation.id,
    email: invitation.user.email,
    name: invitation.user.name,
    orgName: invitation.org.name,
    expiresAt: invitation.expiresAt,
  };
}

/** Why an invitation can no longer be accepted, or null while it can. */
export function invitationState(
  invitation: { acceptedAt: Date | null; supersededAt: Date | null; expiresAt: Date },
  userStatus: string,
  now: Date,
): InvitationState | null {
  if (invitation.acceptedAt) return "ALREADY_USED";
  if (invitation.supersededAt) return "SUPERSEDED";
  if (userStatus === "disabled") return "USER_DISABLED";
  if (invitation.expiresAt <= now) return "EXPIRED";
  return null;
}
