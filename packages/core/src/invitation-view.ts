import type { Invitation } from "@perimeter/db";

/** An invitation as core returns it: never the token hash. */
export interface InvitationView {
  id: string;
  orgId: string;
  userId: string;
  createdByUserId: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  supersededAt: Date | null;
}

/** Projects an invitation row to an `InvitationView`, leaving the token hash behind. */
export function toInvitationView(invitation: Invitation): InvitationView {
  const { tokenHash: _tokenHash, ...view } = invitation;
  return view;
}
