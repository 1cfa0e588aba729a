import { createTeam, createTeamInputSchema } from "@perimeter/core";
import type { Principal, TeamRole } from "../authz/principal";
import { can } from "../authz/rights";
import { coreContext, type OperationEnv } from "./operation-env";
import { conflict, forbidden, guard, notFound, type OperationResult, ok } from "./operation-result";

export interface TeamSummary {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  memberCount: number;
  liveKeyCount: number;
  /** The principal's own role in the team, if they belong to it. */
  myRole: TeamRole | null;
}

/** Teams the principal may see (all of them for admins and auditors, else their own), by name. */
export async function listTeams(env: OperationEnv, principal: Principal): Promise<OperationResult<TeamSummary[]>> {
  const orgWide = can(principal, "teams.read.all");
  const teams = await env.db.team.findMany({
    where: {
      orgId: principal.orgId,
      archivedAt: null,
      ...(orgWide ? {} : { id: { in: [...principal.teamRoles.keys()] } }),
    },
    orderBy: { name: "asc" },
    include: {
      _count: {
        select: { members: true, apiKeys: { where: { revokedAt: null, scope: "inference" } } },
      },
    },
  });
  return ok(
    teams.map((team) => ({
      id: team.id,
      name: team.name,
      slug: team.slug,
      description: team.description,
      memberCount: team._count.members,
      liveKeyCount: team._count.apiKeys,
      myRole: principal.teamRoles.get(team.id) ?? null,
    })),
  );
}

export interface TeamMemberRow {
  memberId: string;
  userId: string;
  email: string;
  name: string;
  role: TeamRole;
  status: "active" | "invited" | "disabled";
  lastLoginAt: Date | null;
}

export interface TeamDetail {
  team: { id: string; name: string; slug: string; description: string | null; createdAt: Date };
  members: TeamMemberRow[];
  myRole: TeamRole | null;
  canManageMembers: boolean;
  canSetLimits: boolean;
}

/** One team with its members, for someone allowed to read it; NOT_FOUND otherwise (no existence leak). */
export async function getTeam(
  env: OperationEnv,
  principal: Principal,
  input: { teamId: string },
): Promise<OperationResult<TeamDetail>> {
  const team = await env.db.team.findFirst({
    where: { id: input.teamId, orgId: principal.orgId },
    include: { members: { include: { user: true }, orderBy: { createdAt: "asc" } } },
  });
  if (!team || !can(principal, "team.read", { teamId: team.id })) return notFound("team");
  return ok({
    team: {
      id: team.id,
      name: team.name,
      slug: team.slug,
      description: team.description,
      createdAt: team.createdAt,
    },
    members: team.members.map((m) => ({
      memberId: m.id,
      userId: m.userId,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
      status: m.user.status,
      lastLoginAt: m.user.lastLoginAt,
    })),
    myRole: principal.teamRoles.get(team.id) ?? null,
    canManageMembers: can(principal, "members.manage", { teamId: team.id }),
    canSetLimits: can(principal, "limits.set", { teamId: team.id }),
  });
}

/** Creates a team (admins only). A name whose slug is taken is CONFLICT. */
export function createTeamAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ id: string; name: string; slug: string }>> {
  return guard(async () => {
    if (!can(principal, "teams.create")) return forbidden("only admins create teams");
    const parsed = createTeamInputSchema.parse(input);
    const result = await createTeam(coreContext(env, principal), parsed);
    if (!result.ok) return conflict("a team with this name (slug) already exists");
    return ok({ id: result.team.id, name: result.team.name, slug: result.team.slug });
  });
}
