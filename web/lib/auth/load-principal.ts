import type { Db } from "@perimeter/db";
import type { Principal } from "../authz/principal";

/**
 * The principal of a signed-in user, read fresh from the database: null when the user no longer
 * exists or is not active, so disabling someone ends their session on their next request.
 */
export async function loadUserPrincipal(db: Db, userId: string): Promise<Principal | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: { memberships: { where: { team: { archivedAt: null } }, select: { teamId: true, role: true } } },
  });
  if (user?.status !== "active") return null;
  return {
    kind: "user",
    orgId: user.orgId,
    actor: { type: "user", id: user.id, label: user.email },
    userId: user.id,
    email: user.email,
    name: user.name,
    orgRole: user.orgRole,
    teamRoles: new Map(user.memberships.map((m) => [m.teamId, m.role])),
  };
}
