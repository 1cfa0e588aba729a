import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../components/action-form";
import { ConfirmAction } from "../../../components/confirm-action";
import { DataTable, InlineSelect, NameCell } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { formatRelative } from "../../../lib/format";
import { listTeams } from "../../../lib/operations/teams";
import { listUsers } from "../../../lib/operations/users";
import { inviteUserAction, updateUserAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "People · Perimeter" };

const orgRoleOptions = [
  { value: "none", label: "No organization role" },
  { value: "admin", label: "Admin" },
  { value: "auditor", label: "Auditor (read-only)" },
];
const statusBadge = { active: "badge ok", invited: "badge warn", disabled: "badge danger" } as const;

export default async function UsersPage() {
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const users = await listUsers(env, principal);
  if (!users.ok) notFound();
  const teams = await listTeams(env, principal);
  const editable = can(principal, "users.update");
  return (
    <>
      <PageHeader
        title="People"
        lede="Everyone in the organization. Admins manage everything; auditors read everything and change nothing; team roles are set on each team."
      />
      {can(principal, "users.invite") ? (
        <section className="card" aria-labelledby="invite">
          <h2 id="invite">Invite someone</h2>
          <ActionForm
            action={inviteUserAction}
            submitLabel="Create invitation"
            resetOnSuccess
            testId="invite-user-form"
          >
            <div className="grid-3">
              <Field name="email" label="Email" type="email" required autoComplete="off" />
              <Field name="name" label="Name" />
              <SelectField name="orgRole" label="Organization role" options={orgRoleOptions} defaultValue="none" />
              <SelectField
                name="teamId"
                label="Team"
                defaultValue=""
                options={[
                  { value: "", label: "No team yet" },
                  ...(teams.ok ? teams.value : []).map((t) => ({ value: t.id, label: t.name })),
                ]}
              />
              <SelectField
                name="teamRole"
                label="Team role"
                defaultValue="developer"
                options={[
                  { value: "developer", label: "Developer" },
                  { value: "team_admin", label: "Team admin" },
                ]}
              />
            </div>
          </ActionForm>
        </section>
      ) : null}
      <section className="card" aria-labelledby="people">
        <h2 id="people">Everyone</h2>
        <DataTable
          testId="users-table"
          columns={["Person", "Organization role", "Teams", "Status", "Last sign-in", ""]}
        >
          {users.value.map((user) => (
            <tr key={user.id}>
              <NameCell name={user.name} detail={user.email} />
              <td>
                {editable ? (
                  <ConfirmAction action={updateUserAction} hidden={{ userId: user.id }} label="Save">
                    <InlineSelect
                      id={`org-role-${user.id}`}
                      name="orgRole"
                      label={`Organization role of ${user.email}`}
                      defaultValue={user.orgRole ?? "none"}
                      options={orgRoleOptions}
                    />
                  </ConfirmAction>
                ) : (
                  (orgRoleOptions.find((o) => o.value === (user.orgRole ?? "none"))?.label ?? "—")
                )}
              </td>
              <td>
                {user.teams.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  user.teams.map((t) => (
                    <div key={t.teamId}>
                      {t.teamName}{" "}
                      <span className="muted small">{t.role === "team_admin" ? "team admin" : "developer"}</span>
                    </div>
                  ))
                )}
              </td>
              <td>
                <span className={statusBadge[user.status]}>{user.status}</span>
              </td>
              <td>{formatRelative(user.lastLoginAt)}</td>
              <td className="actions">
                {editable && user.id !== principal.userId && user.status === "active" ? (
                  <ConfirmAction
                    action={updateUserAction}
                    hidden={{ userId: user.id, status: "disabled" }}
                    label="Disable"
                    confirmLabel={`Disable ${user.email}`}
                    danger
                  />
                ) : null}
                {editable && user.status === "disabled" ? (
                  <ConfirmAction
                    action={updateUserAction}
                    hidden={{ userId: user.id, status: "active" }}
                    label="Enable"
                  />
                ) : null}
                {can(principal, "users.invite") && user.status === "invited" ? (
                  <ConfirmAction action={inviteUserAction} hidden={{ email: user.email }} label="New invitation link" />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
