import {
  addMember,
  changeMemberRole,
  changeMemberRoleInputSchema,
  createInvitation,
  emailSchema,
  removeMember,
} from "@perimeter/core";
import { z } from "zod";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { invitationLink } from "./invitation-link";
import { coreContext, type OperationEnv } from "./operation-env";
import { conflict, forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

export const addTeamMemberInputSchema = z.strictObject({
  teamId: z.string().min(1),
  email: emailSchema,
  role: z.enum(["team_admin", "developer"]).default("developer"),
});

export interface AddedMember {
  memberId: string;
  userId: string;
  email: string;
  role: "team_admin" | "developer";
  /** Present when the person had no account: a single-use sign-up link, shown once. */
  invitation: { url: string; expiresAt: Date } | null;
}

/**
 * Puts someone in a team: an existing user of the organization is added at once; anyone else gets an
 * invited account and a sign-up link (returned once). Admins and the team's admins only; a team the
 * principal cannot read is NOT_FOUND.
 */
export function addTeamMember(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
  origin: string,
): Promise<OperationResult<AddedMember>> {
  return guard(async (): Promise<OperationResult<AddedMember>> => {
    const parsed = addTeamMemberInputSchema.parse(input);
    const team = await env.db.team.findFirst({ where: { id: parsed.teamId, orgId: principal.orgId } });
    if (!team || !can(principal, "team.read", { teamId: team.id })) return notFound("team");
    if (!can(principal, "members.manage", { teamId: team.id })) return forbidden("only team admins add members");
    const ctx = coreContext(env, principal);
    const existing = await env.db.user.findUnique({
      where: { orgId_email: { orgId: principal.orgId, email: parsed.email } },
    });
    if (existing) {
      if (existing.status === "disabled") return invalid({ email: "this user is disabled" });
      const added = await addMember(ctx, { teamId: team.id, userId: existing.id, role: parsed.role });
      if (!added.ok) {
        if (added.code === "ALREADY_MEMBER") return conflict(`${parsed.email} is already a member of this team`);
        return notFound(added.code === "NOT_FOUND" ? added.entity : "team");
      }
      return ok({
        memberId: added.member.id,
        userId: existing.id,
        email: existing.email,
        role: added.member.role,
        invitation: null,
      });
    }
    const invited = await createInvitation(ctx, { email: parsed.email, teamId: team.id, teamRole: parsed.role });
    if (!invited.ok) return invited.code === "USER_EXISTS" ? conflict("this user already exists") : notFound("team");
    return ok({
      memberId: invited.member?.id ?? "",
      userId: invited.user.id,
      email: invited.user.email,
      role: parsed.role,
      invitation: { url: invitationLink(origin, invited.token), expiresAt: invited.invitation.expiresAt },
    });
  });
}

async function memberScope(env: OperationEnv, principal: Principal, memberId: string) {
  const member = await env.db.teamMember.findFirst({ where: { id: memberId, team: { orgId: principal.orgId } } });
  if (!member || !can(principal, "team.read", { teamId: member.teamId })) return null;
  return member;
}

/** Changes a member's team role; admins and the team's admins only. */
export function changeTeamMemberRole(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ memberId: string; role: string }>> {
  return guard(async () => {
    const parsed = changeMemberRoleInputSchema.parse(input);
    const member = await memberScope(env, principal, parsed.memberId);
    if (!member) return notFound("member");
    if (!can(principal, "members.manage", { teamId: member.teamId })) return forbidden();
    const result = await changeMemberRole(coreContext(env, principal), parsed);
    if (!result.ok) return notFound("member");
    return ok({ memberId: result.member.id, role: result.member.role });
  });
}

/** Removes a member (revoking their keys in the team); admins and the team's admins only. */
export function removeTeamMember(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ memberId: string; revokedKeyIds: string[] }>> {
  return guard(async () => {
    const parsed = z.strictObject({ memberId: z.string().min(1) }).parse(input);
    const member = await memberScope(env, principal, parsed.memberId);
    if (!member) return notFound("member");
    if (!can(principal, "members.manage", { teamId: member.teamId })) return forbidden();
    const result = await removeMember(coreContext(env, principal), parsed);
    if (!result.ok) return notFound("member");
    return ok({ memberId: result.member.id, revokedKeyIds: result.revokedKeyIds });
  });
}

/** Members of every team the principal manages (admins: all teams), to pick a key's owner from. */
export async function listManagedMembers(
  env: OperationEnv,
  principal: Principal,
): Promise<OperationResult<{ userId: string; email: string; teamId: string; teamName: string }[]>> {
  const members = await env.db.teamMember.findMany({
    where: { team: { orgId: principal.orgId, archivedAt: null }, user: { status: { not: "disabled" } } },
    include: { user: { select: { email: true } }, team: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return ok(
    members
      .filter((m) => can(principal, "members.manage", { teamId: m.teamId }))
      .map((m) => ({ userId: m.userId, email: m.user.email, teamId: m.teamId, teamName: m.team.name })),
  );
}
