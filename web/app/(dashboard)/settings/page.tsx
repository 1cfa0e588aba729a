import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../components/action-form";
import { ConfirmAction } from "../../../components/confirm-action";
import { DataTable, NameCell } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { TimezoneOffsetInput } from "../../../components/timezone-offset-input";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { formatRelative } from "../../../lib/format";
import { listKeys } from "../../../lib/operations/keys";
import { getOrganization } from "../../../lib/operations/organization";
import { revokeKeyAction } from "../keys/actions";
import { createAdminTokenAction, updateOrganizationAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Settings · Perimeter" };

const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export default async function SettingsPage() {
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const org = await getOrganization(env, principal);
  if (!org.ok) notFound();
  const settings = org.value;
  const editable = can(principal, "org.update");
  const tokens = await listKeys(env, principal, {});
  const adminTokens = tokens.ok ? tokens.value.filter((k) => k.scope === "admin") : [];
  const zones = Intl.supportedValuesOf("timeZone");
  return (
    <>
      <PageHeader
        title="Settings"
        lede="The organization's name, the calendar its budgets reset on, and how long usage is kept."
      />
      <section className="card" aria-labelledby="org">
        <h2 id="org">Organization</h2>
        {editable ? (
          <ActionForm action={updateOrganizationAction} submitLabel="Save settings" testId="settings-form">
            <div className="grid-2">
              <Field name="name" label="Name" required defaultValue={settings.name} />
              <SelectField
                name="timeZone"
                label="Time zone"
                hint="Daily, weekly and monthly budgets reset at midnight here."
                defaultValue={settings.timeZone}
                options={(zones.includes(settings.timeZone) ? zones : [settings.timeZone, ...zones]).map((z) => ({
                  value: z,
                  label: z,
                }))}
              />
              <SelectField
                name="weekStartsOn"
                label="Week starts on"
                defaultValue={String(settings.weekStartsOn)}
                options={weekdays.map((day, index) => ({ value: String(index + 1), label: day }))}
              />
              <div />
              <Field
                name="usageRetentionDays"
                label="Keep request records (days)"
                inputMode="numeric"
                defaultValue={settings.usageRetentionDays}
                hint="Per-request metadata and token counts; prompts are never stored."
              />
              <Field
                name="rollupRetentionDays"
                label="Keep hourly and daily totals (days)"
                inputMode="numeric"
                defaultValue={settings.rollupRetentionDays}
              />
            </div>
          </ActionForm>
        ) : (
          <dl className="facts">
            <dt>Name</dt>
            <dd>{settings.name}</dd>
            <dt>Time zone</dt>
            <dd>{settings.timeZone}</dd>
            <dt>Week starts on</dt>
            <dd>{weekdays[settings.weekStartsOn - 1]}</dd>
            <dt>Request records kept</dt>
            <dd>{settings.usageRetentionDays} days</dd>
            <dt>Totals kept</dt>
            <dd>{settings.rollupRetentionDays} days</dd>
          </dl>
        )}
      </section>

      <section className="card" aria-labelledby="tokens">
        <h2 id="tokens">Admin API tokens</h2>
        <p className="muted">
          Organization-wide tokens for automation against <code>/api/v1</code> (described at{" "}
          <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>). They act as an admin; every call they make is in the
          audit log.
        </p>
        {adminTokens.length > 0 ? (
          <DataTable testId="tokens-table" columns={["Token", "Status", "Expires", ""]}>
            {adminTokens.map((token) => (
              <tr key={token.id}>
                <NameCell name={token.name} detail={`…${token.last4}`} mono />
                <td>{token.status}</td>
                <td>{token.expiresAt ? formatRelative(token.expiresAt) : "never"}</td>
                <td className="actions">
                  {token.canManage && token.status !== "revoked" ? (
                    <ConfirmAction
                      action={revokeKeyAction}
                      hidden={{ keyId: token.id }}
                      label="Revoke"
                      confirmLabel={`Revoke ${token.name}`}
                      danger
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p className="empty">No admin tokens.</p>
        )}
        {can(principal, "tokens.manage") ? (
          <ActionForm
            action={createAdminTokenAction}
            submitLabel="Create token"
            resetOnSuccess
            testId="create-token-form"
          >
            <div className="grid-2">
              <Field name="name" label="Name" required placeholder="terraform" />
              <Field name="expiresAt" label="Expires" type="datetime-local" hint="Leave empty for no expiry." />
            </div>
            <TimezoneOffsetInput name="expiresAt" />
          </ActionForm>
        ) : null}
      </section>
    </>
  );
}
