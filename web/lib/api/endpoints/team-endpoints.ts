import { z } from "zod";
import { addTeamMember, removeTeamMember } from "../../operations/members";
import { notFound } from "../../operations/operation-result";
import { createTeamAs, getTeam, listTeams } from "../../operations/teams";
import { type ApiCall, reply } from "../admin-route";

/** `GET /api/v1/teams`: every team with member and live-key counts. */
export async function listTeamsEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await listTeams(call.env, call.principal), 200, (teams) => ({
    teams: teams.map(({ myRole: _myRole, ...team }) => team),
  }));
}

/** `POST /api/v1/teams` `{name, slug?, description?}` → 201 `{id, name, slug}`. */
export async function createTeamEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await createTeamAs(call.env, call.principal, call.body), 201);
}

/** `GET /api/v1/teams/{teamId}`: the team and its members. */
export async function getTeamEndpoint(call: ApiCall): Promise<Response> {
  const result = await getTeam(call.env, call.principal, { teamId: call.params.teamId ?? "" });
  return reply(call, result, 200, ({ team, members }) => ({ ...team, members }));
}

/**
 * `POST /api/v1/teams/{teamId}/members` `{email, role}` → 201. An existing user joins at once; anyone
 * else gets an invited account, and the response carries their single-use sign-up link.
 */
export async function addMemberEndpoint(call: ApiCall): Promise<Response> {
  const body = z.object({}).passthrough().safeParse(call.body);
  const input = body.success ? { ...body.data, teamId: call.params.teamId } : call.body;
  return reply(call, await addTeamMember(call.env, call.principal, input, call.origin), 201);
}

/** `DELETE /api/v1/teams/{teamId}/members/{memberId}`: removes the member and revokes their keys in the team. */
export async function removeMemberEndpoint(call: ApiCall): Promise<Response> {
  const { teamId, memberId } = call.params;
  // The member must be in the team the path names, not merely somewhere in the organization.
  const inTeam = await call.env.db.teamMember.findFirst({ where: { id: memberId, teamId }, select: { id: true } });
  if (!inTeam) return reply(call, notFound("member"), 404);
  return reply(call, await removeTeamMember(call.env, call.principal, { memberId }), 200);
}
