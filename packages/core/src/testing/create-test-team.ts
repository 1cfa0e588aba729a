import { randomBase32, type Team, type TeamMember } from "@perimeter/db";
import { addMember } from "../add-member.ts";
import type { CoreContext } from "../context.ts";
import { createTeam } from "../create-team.ts";
import { createUser } from "../create-user.ts";
import type { UserView } from "../user-view.ts";

export interface TestTeam {
  team: Team;
  developer: UserView;
  member: TeamMember;
}

/** A team in the context's organization with one developer member, for tests that need keys. */
export async function createTestTeam(ctx: CoreContext): Promise<TestTeam> {
  const suffix = randomBase32(8);
  const team = await createTeam(ctx, { name: `Team ${suffix}` });
  if (!team.ok) throw new Error(`test team: ${team.code}`);
  const developer = await createUser(ctx, { email: `dev-${suffix}@example.test`, name: "Developer" });
  if (!developer.ok) throw new Error(`test team: ${developer.code}`);
  const member = await addMember(ctx, { teamId: team.team.id, userId: developer.user.id });
  if (!member.ok) throw new Error(`test team: ${member.code}`);
  return { team: team.team, developer: developer.user, member: member.member };
}
