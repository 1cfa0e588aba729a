import { newId, type TeamMember } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { emailSchema } from "./email-schema.ts";
import { hashInvitationToken, mintInvitationToken } from "./invitation-token.ts";
import { type InvitationView, toInvitationView } from "./invitation-view.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { toUserView, type UserView } from "./user-view.ts";

export const createInvitationInputSchema = z.strictObject({
  email: emailSchema,
  /** Display name until the invitee sets their own; defaults to the part of the email before the @. */
  name: z.string().trim().min(1).max(200).optional(),
  orgRole: z.enum(["admin", "auditor"]).nullish(),
  /** The team the invitee joins on acceptance (membership is created now, so keys can be prepared). */
  teamId: z.string().min(1).nullish(),
  teamRole: z.enum(["team_admin", "developer"]).default("developer"),
  expiresInHours: z
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
});
export type CreateInvitationInput = z.input<typeof createInvitationInputSchema>;

export type CreateInvitationResult =
  | { ok: true; invitation: InvitationView; token: string; user: UserView; member: TeamMember | null }
  | { ok: false; code: "NOT_FOUND"; entity: "team" }
  | { ok: false; code: "TEAM_ARCHIVED" | "USER_EXISTS" };

/**
 * Invites someone by email to the context's organization, optionally into a team with a team role.
 * Creates the user (status `invited`, no password) unless an invited user with that email exists, in
 * which case earlier open links are superseded; an active or disabled user is USER_EXISTS (add them to
 * the team instead). Returns the link's token once; only its SHA-256 is stored. Audits `user.create`
 * (new users), `team_member.add` (new memberships) and `invitation.create`, all in one transaction.
 */
export async function createInvitation(
  ctx: CoreContext,
  rawInput: CreateInvitationInput,
): Promise<CreateInvitationResult> {
  const input = createInvitationInputSchema.parse(rawInput);
  try {
    return await inviteOnce(ctx, input);
  } catch (error) {
    // Two invitations of one new address raced; the retry finds the other's invited user.
    if (!isUniqueViolation(error, "users_org_id_email_key")) throw error;
    return inviteOnce(ctx, input);
  }
}

function inviteOnce(
  ctx: CoreContext,
  input: z.output<typeof createInvitationInputSchema>,
): Promise<CreateInvitationResult> {
  return ctx.db.$transaction(async (tx): Promise<CreateInvitationResult> => {
    const now = currentTime(ctx);
    if (input.teamId) {
      const team = await tx.team.findFirst({ where: { id: input.teamId, orgId: ctx.orgId } });
      if (!team) return { ok: false, code: "NOT_FOUND", entity: "team" };
      if (team.archivedAt) return { ok: false, code: "TEAM_ARCHIVED" };
    }
    let user = await tx.user.findUnique({ where: { orgId_email: { orgId: ctx.orgId, email: input.email } } });
    if (user && user.status !== "invited") return { ok: false, code: "USER_EXISTS" };
    if (!user) {
      user = await tx.user.create({
        data: {
          id: newId("user"),
          orgId: ctx.orgId,
          email: input.email,
          name: input.name ?? input.email.split("@")[0] ?? input.email,
          status: "invited",
          orgRole: input.orgRole ?? null,
        },
      });
      await appendAuditEvent(tx, ctx, {
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        after: toUserView(user),
      });
    } else if (input.orgRole !== undefined && input.orgRole !== user.orgRole) {
      user = await tx.user.update({ where: { id: user.id }, data: { orgRole: input.orgRole } });
    }
    await tx.invitation.updateMany({
      where: { userId: user.id, acceptedAt: null, supersededAt: null },
      data: { supersededAt: now },
    });

    let member: TeamMember | null = null;
    if (input.teamId) {
      member = await tx.teamMember.findUnique({ where: { teamId_userId: { teamId: input.teamId, userId: user.id } } });
      if (!member) {
        member = await tx.teamMember.create({
          data: { id: newId("member"), teamId: input.teamId, userId: user.id, role: input.teamRole },
        });
        await appendAuditEvent(tx, ctx, {
          action: "team_member.add",
          targetType: "team_member",
          targetId: member.id,
          teamId: input.teamId,
          after: { ...member, userEmail: user.email },
        });
      }
    }

    const token = mintInvitationToken();
    const invitation = await tx.invitation.create({
      data: {
        id: newId("invitation"),
        orgId: ctx.orgId,
        userId: user.id,
        tokenHash: hashInvitationToken(token),
        createdByUserId: ctx.actor.type === "user" ? ctx.actor.id : null,
        expiresAt: new Date(now.getTime() + input.expiresInHours * 3_600_000),
      },
    });
    const view = toInvitationView(invitation);
    await appendAuditEvent(tx, ctx, {
      action: "invitation.create",
      targetType: "invitation",
      targetId: invitation.id,
      teamId: input.teamId ?? null,
      after: { ...view, email: user.email, orgRole: user.orgRole, teamRole: member?.role ?? null },
    });
    return { ok: true, invitation: view, token, user: toUserView(user), member };
  });
}
