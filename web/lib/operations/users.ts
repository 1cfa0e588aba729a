import { createInvitation, createInvitationInputSchema, updateUser, updateUserInputSchema } from "@perimeter/core";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { invitationLink } from "./invitation-link";
import { coreContext, type OperationEnv } from "./operation-env";
import { conflict, forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

export interface UserRow {
  id: string;
  email: string;
  name: string;
  status: "active" | "invited" | "disabled";
  orgRole: "admin" | "auditor" | null;
  lastLoginAt: Date | null;
  teams: { teamId: string; teamName: string; role: "team_admin" | "developer" }[];
}

/** Everyone in the organization with their roles (admins and auditors only). */
export async function listUsers(env: OperationEnv, principal: Principal): Promise<OperationResult<UserRow[]>> {
  if (!can(principal, "users.read")) return forbidden();
  const users = await env.db.user.findMany({
    where: { orgId: principal.orgId },
    orderBy: { email: "asc" },
    include: { memberships: { include: { team: { select: { name: true } } } } },
  });
  return ok(
    users.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      status: u.status,
      orgRole: u.orgRole,
      lastLoginAt: u.lastLoginAt,
      teams: u.memberships.map((m) => ({ teamId: m.teamId, teamName: m.team.name, role: m.role })),
    })),
  );
}

export interface IssuedInvitation {
  userId: string;
  email: string;
  url: string;
  expiresAt: Date;
}

/**
 * Invites a person to the organization (optionally with an organization role and into a team), or
 * issues a fresh link to someone already invited. Admins only; the link is returned once.
 */
export function inviteUser(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
  origin: string,
): Promise<OperationResult<IssuedInvitation>> {
  return guard(async () => {
    if (!can(principal, "users.invite")) return forbidden("only admins invite to the organization");
    const parsed = createInvitationInputSchema.parse(input);
    const result = await createInvitation(coreContext(env, principal), parsed);
    if (!result.ok) {
      if (result.code === "USER_EXISTS") return conflict(`${parsed.email} already has an account`);
      return invalid({ teamId: result.code === "TEAM_ARCHIVED" ? "this team is archived" : "no such team" });
    }
    return ok({
      userId: result.user.id,
      email: result.user.email,
      url: invitationLink(origin, result.token),
      expiresAt: result.invitation.expiresAt,
    });
  });
}

/** Changes a user's organization role or disables / re-enables them (admins only). */
export function updateUserAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ id: string; status: string; orgRole: string | null; revokedKeyIds: string[] }>> {
  return guard(async () => {
    if (!can(principal, "users.read")) return notFound("user");
    if (!can(principal, "users.update")) return forbidden("only admins change users");
    const parsed = updateUserInputSchema.parse(input);
    if (parsed.userId === principal.userId && parsed.status === "disabled") {
      return invalid({ status: "you cannot disable yourself" });
    }
    const result = await updateUser(coreContext(env, principal), parsed);
    if (!result.ok) {
      if (result.code === "NOT_FOUND") return notFound("user");
      if (result.code === "LAST_ADMIN") return conflict("the organization must keep at least one active admin");
      return conflict("an invited user becomes active by accepting the invitation");
    }
    const { user, revokedKeyIds } = result;
    return ok({ id: user.id, status: user.status, orgRole: user.orgRole, revokedKeyIds });
  });
}
