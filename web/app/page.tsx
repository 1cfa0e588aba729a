import { redirect } from "next/navigation";
import { getSessionPrincipal } from "../lib/auth/session";

export const dynamic = "force-dynamic";

/** The front door: people who run things land on their teams, everyone else on Connect. */
export default async function HomePage() {
  const principal = await getSessionPrincipal();
  if (!principal) redirect("/sign-in");
  redirect(principal.orgRole || [...principal.teamRoles.values()].includes("team_admin") ? "/teams" : "/connect");
}
