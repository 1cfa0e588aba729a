import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../components/action-form";
import { AutoRefresh } from "../../../components/auto-refresh";
import { CopyButton } from "../../../components/copy-button";
import { DataTable } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { formatDateTime, formatNumber } from "../../../lib/format";
import { exportFormatOptions, exportKindOptions } from "../../../lib/forms/export-form";
import { type ExportSummary, listExports } from "../../../lib/operations/exports";
import { loadUsageFilterOptions } from "../../../lib/usage/usage-filter-options";
import { requestExportAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exports · Perimeter" };

const kindLabels: Record<ExportSummary["kind"], string> = {
  usage: "Usage (per request)",
  usage_rollups: "Usage rollups",
  audit: "Audit log",
};
const statusClass: Record<ExportSummary["status"], string> = {
  queued: "badge",
  running: "badge warn",
  succeeded: "badge ok",
  failed: "badge danger",
  expired: "badge muted",
};

type Names = Map<string, string>;

function filterSummary(item: ExportSummary, teams: Names, keys: Names, people: Names): string {
  const { filter } = item;
  const parts = [`${formatDateTime(new Date(filter.from))} → ${formatDateTime(new Date(filter.to))} UTC`];
  if (filter.teamId) parts.push(`team ${teams.get(filter.teamId) ?? filter.teamId}`);
  if (filter.apiKeyId) parts.push(`key ${keys.get(filter.apiKeyId) ?? filter.apiKeyId}`);
  if (filter.userId) parts.push(`${people.get(filter.userId) ?? filter.userId}`);
  if (filter.model) parts.push(`model ${filter.model}`);
  if (filter.granularity) parts.push(`${filter.granularity}ly`);
  return parts.join(" · ");
}

function Progress({ item }: { item: ExportSummary }) {
  if (item.status === "succeeded") return <span>{formatNumber(item.rowCount)} rows</span>;
  if (item.status === "failed") return <span className="field-error">{item.error ?? "failed"}</span>;
  const expected = item.estimatedRows && item.estimatedRows > 0 ? item.estimatedRows : null;
  return (
    <div className="progress-cell">
      <progress
        value={expected ? Math.min(item.rowsWritten, expected) : undefined}
        max={expected ?? undefined}
        aria-label={`Progress of ${item.id}`}
      />
      <span className="muted small">
        {formatNumber(item.rowsWritten)}
        {expected ? ` of ≈${formatNumber(expected)}` : ""} rows
      </span>
    </div>
  );
}

export default async function ExportsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { requested } = await searchParams;
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const [exports, options] = await Promise.all([listExports(env, principal), loadUsageFilterOptions(env, principal)]);
  if (!exports.ok) notFound();
  const teamNames = new Map(options.teams.filter((team) => team.value).map((team) => [team.value, team.label]));
  const keyNames = new Map(options.keys.map((key) => [key.value, key.label]));
  const peopleNames = new Map(options.users.map((user) => [user.value, user.label]));
  const active = exports.value.some((item) => item.status === "queued" || item.status === "running");
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  return (
    <>
      <PageHeader
        title="Exports"
        lede="Usage and the audit log as CSV or JSON Lines, written in the background from one consistent snapshot. Each file comes with a manifest (columns, row count, time range, who asked) and its SHA-256, which the audit log records too."
      >
        <AutoRefresh active={active} everyMs={1500} label="Updating" />
      </PageHeader>
      <section className="card" aria-labelledby="new-export">
        <h2 id="new-export">New export</h2>
        <ActionForm action={requestExportAction} submitLabel="Request export" testId="new-export-form">
          <div className="grid-4">
            <SelectField name="kind" label="What" defaultValue="usage" options={exportKindOptions} />
            <SelectField name="format" label="Format" defaultValue="csv" options={exportFormatOptions} />
            <Field name="fromDay" label="From (UTC day)" type="date" required defaultValue={weekAgo} />
            <Field name="toDay" label="To (UTC day, included)" type="date" required defaultValue={today} />
            <SelectField name="teamId" label="Team" defaultValue="" options={options.teams} />
            <SelectField
              name="apiKeyId"
              label="API key"
              defaultValue=""
              options={[{ value: "", label: "Any key" }, ...options.keys]}
              hint="For the audit log: the key that acted."
            />
            <SelectField
              name="userId"
              label="Person"
              defaultValue=""
              options={[{ value: "", label: "Anyone" }, ...options.users]}
              hint="For the audit log: who acted."
            />
            <SelectField
              name="model"
              label="Model"
              defaultValue=""
              options={[{ value: "", label: "Any model" }, ...options.models.map((m) => ({ value: m, label: m }))]}
              hint="Usage only."
            />
          </div>
        </ActionForm>
      </section>
      <section className="card" aria-labelledby="export-list">
        <h2 id="export-list">Requested exports</h2>
        {requested && typeof requested === "string" ? (
          <p className="notice success" role="status">
            Export {requested} requested. It appears below and updates as the worker writes it.
          </p>
        ) : null}
        {exports.value.length === 0 ? (
          <p className="empty">No exports yet.</p>
        ) : (
          <DataTable testId="exports-table" columns={["Requested", "What", "Status", "Progress", "SHA-256", ""]}>
            {exports.value.map((item) => (
              <tr key={item.id} data-export-id={item.id} className={item.id === requested ? "highlight" : undefined}>
                <td className="nowrap">
                  {formatDateTime(item.createdAt)}
                  <div className="muted small">{item.requestedBy.label ?? item.requestedBy.type}</div>
                </td>
                <td>
                  {kindLabels[item.kind]} <span className="badge">{item.format.toUpperCase()}</span>
                  <div className="muted small">{filterSummary(item, teamNames, keyNames, peopleNames)}</div>
                </td>
                <td>
                  <span className={statusClass[item.status]} data-testid="export-status">
                    {item.status}
                  </span>
                </td>
                <td>
                  <Progress item={item} />
                </td>
                <td>
                  {item.sha256 ? (
                    <span className="inline-form">
                      <code className="mono small" title={item.sha256} data-testid="export-sha256">
                        {item.sha256.slice(0, 12)}…
                      </code>
                      <CopyButton value={item.sha256} />
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="actions">
                  {item.status === "succeeded" ? (
                    <>
                      <a className="button small" href={`/exports/${item.id}/file`} download>
                        File{item.fileBytes !== null ? ` (${formatBytes(item.fileBytes)})` : ""}
                      </a>
                      <a className="button small ghost" href={`/exports/${item.id}/manifest`} download>
                        Manifest
                      </a>
                    </>
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

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
