import type { Actor } from "@perimeter/core";

export type OrgRole = "admin" | "auditor";
export type TeamRole = "team_admin" | "developer";

/**
 * Who is asking, as every authorization decision sees it: a signed-in user (with their organization
 * role and their role in each team they belong to) or an admin-scope API token. Loaded from the
 * database on every request, so a changed role or a disabled user takes effect at once.
 */
export interface Principal {
  kind: "user" | "api_key";
  orgId: string;
  /** Recorded as the actor of every audit event the principal's actions write. */
  actor: Actor;
  /** The user, or null for an API token. */
  userId: string | null;
  email: string | null;
  name: string;
  orgRole: OrgRole | null;
  teamRoles: ReadonlyMap<string, TeamRole>;
}

/** The role to show for a principal: its organization role, else its highest team role. */
export function displayRole(principal: Principal): OrgRole | TeamRole {
  if (principal.orgRole) return principal.orgRole;
  return [...principal.teamRoles.values()].includes("team_admin") ? "team_admin" : "developer";
}
