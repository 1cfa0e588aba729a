import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field, SelectField } from "../../../components/action-form";
import { ConfirmAction } from "../../../components/confirm-action";
import { DataTable, InlineSelect, NameCell } from "../../../components/data-table";
import { LimitsFields } from "../../../components/limits-fields";
import { PageHeader } from "../../../components/page-header";
import { TimezoneOffsetInput } from "../../../components/timezone-offset-input";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { formatDateTime, formatRelative } from "../../../lib/format";
import type { KeyStatus } from "../../../lib/operations/key-status";
import { listKeys } from "../../../lib/operations/keys";
import { listManagedMembers } from "../../../lib/operations/members";
import { listTeams } from "../../../lib/operations/teams";
import { createKeyAction, revokeKeyAction, rotateKeyAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API keys · Perimeter" };

const statusClass: Record<KeyStatus, string> = {
  active: "badge ok",
  rotating: "badge warn",
  expired: "badge muted",
  revoked: "badge danger",
};
const graceOptions = [
  { value: "0", label: "stop the old key now" },
  { value: "3600", label: "old key works 1 more hour" },
  { value: "86400", label: "old key works 24 more hours" },
];

export default async function KeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const teamFilter = typeof params.team === "string" ? params.team : undefined;
  const showRevoked = params.all === "1";
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const [keys, teams] = await Promise.all([
    listKeys(env, principal, { teamId: teamFilter, includeRevoked: showRevoked }),
    listTeams(env, principal),
  ]);
  // Admin API tokens are managed under Settings; this page is about keys for the gateway.
  const rows = keys.ok ? keys.value.filter((key) => key.scope === "inference") : [];
  const allTeams = teams.ok ? teams.value : [];
  const creatable = allTeams.filter((t) =>
    can(principal, "keys.create", { teamId: t.id, ownerUserId: principal.userId }),
  );
  const managesOthers = allTeams.some((t) => can(principal, "members.manage", { teamId: t.id }));
  const managed = managesOthers ? await listManagedMembers(env, principal) : null;
  const members = managed?.ok ? managed.value : [];
  const now = new Date();
  return (
    <>
      <PageHeader
        title="API keys"
        lede="Keys let Claude Code and other clients call the gateway. Secrets are shown once, at creation; lists show only the last four characters."
      >
        <Link className="button ghost" href={showRevoked ? "/keys" : "/keys?all=1"}>
          {showRevoked ? "Hide revoked" : "Show revoked"}
        </Link>
      </PageHeader>

      {creatable.length > 0 ? (
        <section className="card" aria-labelledby="new-key">
          <h2 id="new-key">New key</h2>
          <ActionForm action={createKeyAction} submitLabel="Create key" resetOnSuccess testId="create-key-form">
            <div className="grid-3">
              <SelectField
                name="teamId"
                label="Team"
                required
                defaultValue={teamFilter ?? creatable[0]?.id}
                options={creatable.map((t) => ({ value: t.id, label: t.name }))}
              />
              <Field name="name" label="Name" required placeholder="laptop, ci-runner…" />
              <Field name="expiresAt" label="Expires" type="datetime-local" hint="Leave empty for no expiry." />
            </div>
            <TimezoneOffsetInput name="expiresAt" />
            {managesOthers ? (
              <SelectField
                name="ownerUserId"
                label="Belongs to"
                defaultValue="self"
                hint="A service key belongs to the team, not to a person."
                options={[
                  { value: "self", label: "Me" },
                  { value: "service", label: "Service key (no owner)" },
                  ...members
                    .filter((m) => m.userId !== principal.userId)
                    .map((m) => ({ value: m.userId, label: `${m.email} (${m.teamName})` })),
                ]}
              />
            ) : null}
            <details className="disclosure">
              <summary>Key limits (optional)</summary>
              <p className="muted">Tighter than the team's if you like; the organization's caps still apply.</p>
              <LimitsFields policy={null} compact />
            </details>
          </ActionForm>
        </section>
      ) : null}

      <section className="card" aria-labelledby="keys-list">
        <h2 id="keys-list">{teamFilter ? "Keys of this team" : "Keys you can see"}</h2>
        {rows.length === 0 ? (
          <p className="empty">No keys here yet.</p>
        ) : (
          <DataTable
            testId="keys-table"
            columns={["Key", "Team · owner", "Status", "Created", "Expires", "Last used", ""]}
          >
            {rows.map((key) => (
              <tr key={key.id} data-key-name={key.name}>
                <NameCell name={key.name} detail={`sk-prm-${key.publicId}-…${key.last4}`} mono />
                <td>
                  {key.scope === "admin" ? "Admin API token" : (key.teamName ?? "—")}
                  <div className="muted small">{key.ownerEmail ?? (key.scope === "admin" ? "" : "service key")}</div>
                </td>
                <td>
                  <span className={statusClass[key.status]}>{key.status}</span>
                  {key.revokedReason ? <div className="muted small">{key.revokedReason}</div> : null}
                </td>
                <td className="nowrap">{formatDateTime(key.createdAt)}</td>
                <td>{key.expiresAt ? formatRelative(key.expiresAt, now) : "never"}</td>
                <td>{formatRelative(key.lastUsedAt, now)}</td>
                <td className="actions">
                  <Link className="button small ghost" href={`/limits?key=${key.id}`}>
                    Limits
                  </Link>
                  {key.canManage && key.status === "active" ? (
                    <>
                      <ConfirmAction
                        action={rotateKeyAction}
                        hidden={{ keyId: key.id }}
                        label="Rotate"
                        confirmLabel="Rotate now"
                      >
                        <InlineSelect
                          id={`grace-${key.id}`}
                          name="gracePeriodSec"
                          label={`Grace period for ${key.name}`}
                          defaultValue="3600"
                          options={graceOptions}
                        />
                      </ConfirmAction>
                      <ConfirmAction
                        action={revokeKeyAction}
                        hidden={{ keyId: key.id }}
                        label="Revoke"
                        confirmLabel={`Revoke ${key.name}`}
                        danger
                      />
                    </>
                  ) : null}
                  {key.canManage && key.status === "rotating" ? (
                    <ConfirmAction
                      action={revokeKeyAction}
                      hidden={{ keyId: key.id }}
                      label="End grace now"
                      confirmLabel="Revoke old key"
                      danger
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
