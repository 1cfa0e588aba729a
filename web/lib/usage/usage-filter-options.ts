import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { listKeys } from "../operations/keys";
import { listManagedMembers } from "../operations/members";
import type { OperationEnv } from "../operations/operation-env";
import { listTeams } from "../operations/teams";
import { listUsers } from "../operations/users";

export interface Option {
  value: string;
  label: string;
}

/** What the usage filters offer a principal: only teams, keys and people whose usage they may see. */
export interface UsageFilterOptions {
  /** The first entry (value "") is what no team means for them: the organization, or their own keys. */
  teams: Option[];
  keys: Option[];
  /** Empty for people who only see their own usage (no one else to pick). */
  users: Option[];
  models: string[];
}

/** The choices of the usage page's and the request log's filters for `principal`. */
export async function loadUsageFilterOptions(env: OperationEnv, principal: Principal): Promise<UsageFilterOptions> {
  const orgWide = can(principal, "usage.read.all");
  const [teams, keys, users, managed, models] = await Promise.all([
    listTeams(env, principal),
    listKeys(env, principal, { includeRevoked: true }),
    orgWide ? listUsers(env, principal) : null,
    orgWide ? null : listManagedMembers(env, principal),
    env.db.model.findMany({ where: { orgId: principal.orgId }, select: { publicName: true, aliases: true } }),
  ]);
  const teamOptions: Option[] = (teams.ok ? teams.value : []).map((team) => ({
    value: team.id,
    label: orgWide || team.myRole === "team_admin" ? team.name : `${team.name} (my keys)`,
  }));
  const people = users?.ok
    ? users.value.map((user) => ({ value: user.id, label: user.email }))
    : [
        ...new Map(
          (managed?.ok ? managed.value : []).map((m) => [m.userId, { value: m.userId, label: m.email }]),
        ).values(),
      ];
  return {
    teams: [{ value: "", label: orgWide ? "All teams" : "All my keys" }, ...teamOptions],
    keys: (keys.ok ? keys.value : [])
      .filter((key) => key.scope === "inference")
      .slice(0, 500)
      .map((key) => ({
        value: key.id,
        label: `${key.name} …${key.last4}${key.teamName ? ` (${key.teamName})` : ""}${key.status === "revoked" ? " · revoked" : ""}`,
      })),
    users: people,
    models: models.flatMap((model) => [model.publicName, ...model.aliases]).sort(),
  };
}
