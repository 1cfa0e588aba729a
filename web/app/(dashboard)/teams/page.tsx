import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "../../../components/action-form";
import { DataTable, NameCell } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { listTeams } from "../../../lib/operations/teams";
import { createTeamAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Teams · Perimeter" };

const roleNames = { team_admin: "Team admin", developer: "Developer" } as const;

export default async function TeamsPage() {
  const principal = await requirePrincipal();
  const teams = await listTeams(await requestEnv(), principal);
  const list = teams.ok ? teams.value : [];
  return (
    <>
      <PageHeader
        title="Teams"
        lede="Each team has its members, its API keys and its limits. Keys belong to a team; a team's limits apply to all of them."
      />
      <section className="card" aria-labelledby="teams-list">
        <h2 id="teams-list">All teams you can see</h2>
        {list.length === 0 ? (
          <p className="empty">No teams yet.{can(principal, "teams.create") ? " Create the first one below." : ""}</p>
        ) : (
          <DataTable testId="teams-table" columns={["Team", "Members", "Live keys", "Your role"]}>
            {list.map((team) => (
              <tr key={team.id}>
                <NameCell name={<Link href={`/teams/${team.id}`}>{team.name}</Link>} detail={team.description} />
                <td>{team.memberCount}</td>
                <td>{team.liveKeyCount}</td>
                <td>{team.myRole ? roleNames[team.myRole] : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {can(principal, "teams.create") ? (
        <section className="card" aria-labelledby="new-team">
          <h2 id="new-team">New team</h2>
          <ActionForm action={createTeamAction} submitLabel="Create team" resetOnSuccess testId="create-team-form">
            <div className="grid-2">
              <Field name="name" label="Name" required placeholder="Payments" />
              <Field name="description" label="Description" placeholder="What the team works on" />
            </div>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
