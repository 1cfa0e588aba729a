import type { Metadata } from "next";
import Link from "next/link";
import { Field, SelectField } from "../../../../components/action-form";
import { DataTable } from "../../../../components/data-table";
import { PageHeader } from "../../../../components/page-header";
import { UsageFilters } from "../../../../components/usage-filters";
import { requestEnv, requirePrincipal } from "../../../../lib/auth/session";
import { formatDateTime, formatMs, formatNumber } from "../../../../lib/format";
import { getOrganization } from "../../../../lib/operations/organization";
import { listRequests, usageLabels } from "../../../../lib/operations/usage";
import { loadUsageFilterOptions } from "../../../../lib/usage/usage-filter-options";
import { parseUsageQuery, singleParams, usageSearch } from "../../../../lib/usage/usage-query";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Request log · Perimeter" };

const statusOptions = [
  { value: "", label: "Any" },
  { value: "2xx", label: "2xx (answered)" },
  { value: "error", label: "Any error (≥ 400)" },
  { value: "4xx", label: "4xx" },
  { value: "429", label: "429 (limits)" },
  { value: "5xx", label: "5xx" },
];

/** The limit that refused a request (admitted and unchecked requests name none). */
function denied(decision: string | null): decision is string {
  return decision !== null && decision !== "admitted" && decision !== "unchecked";
}

function statusBadge(status: number): string {
  if (status < 400) return "badge ok";
  return status === 429 ? "badge warn" : "badge danger";
}

export default async function RequestLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const params = singleParams(raw);
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const query = parseUsageQuery(params, new Date());
  const status = params.status?.trim() || undefined;
  const sessionId = params.sessionId?.trim() || undefined;
  const [page, options, org] = await Promise.all([
    listRequests(env, principal, {
      startingAt: query.from.toISOString(),
      endingAt: query.to.toISOString(),
      teamId: query.teamId,
      apiKeyId: query.apiKeyId,
      userId: query.userId,
      model: query.model,
      sessionId,
      status: status && /^\d+$/.test(status) ? Number(status) : status,
      limit: 50,
      cursor: params.cursor || undefined,
    }),
    loadUsageFilterOptions(env, principal),
    getOrganization(env, principal),
  ]);
  const timeZone = org.ok ? org.value.timeZone : "UTC";
  const rows = page.ok ? page.value.data : [];
  const labels = await usageLabels(env, principal, {
    teamIds: rows.flatMap((row) => (row.teamId ? [row.teamId] : [])),
    apiKeyIds: rows.flatMap((row) => (row.apiKeyId ? [row.apiKeyId] : [])),
    userIds: rows.flatMap((row) => (row.userId ? [row.userId] : [])),
  });
  const extra = { ...(status ? { status } : {}), ...(sessionId ? { sessionId } : {}) };
  const older =
    page.ok && page.value.nextCursor ? usageSearch(query, { ...extra, cursor: page.value.nextCursor }) : null;
  return (
    <>
      <PageHeader
        title="Request log"
        lede="Every request through the gateway, newest first: who, which model, tokens, latency and outcome. Metadata only; prompts and answers are never stored."
      >
        <Link className="button" href={`/usage?${usageSearch(query)}`}>
          Charts
        </Link>
      </PageHeader>
      <UsageFilters
        action="/usage/requests"
        query={query}
        options={options}
        grouping={false}
        extra={
          <>
            <SelectField name="status" label="Status" defaultValue={status ?? ""} options={statusOptions} />
            <Field name="sessionId" label="Claude Code session" defaultValue={sessionId} placeholder="session id" />
          </>
        }
      />
      <section className="card" aria-labelledby="requests">
        <h2 id="requests">Requests</h2>
        {!page.ok ? (
          <p className="notice error" role="alert">
            {page.code === "INVALID" ? Object.values(page.fields).join("; ") : `Nothing to show: ${page.message}.`}
          </p>
        ) : rows.length === 0 ? (
          <p className="empty">No requests match.</p>
        ) : (
          <DataTable
            testId="requests-table"
            className="log-table"
            columns={[
              `Finished (${timeZone})`,
              "Status",
              "Team · key · person",
              "Model",
              "In / cached / out",
              "Latency",
              "Session",
            ]}
          >
            {rows.map((row) => (
              <tr key={row.requestId}>
                <td title={row.requestId}>{formatDateTime(row.eventTime, timeZone)}</td>
                <td>
                  <span className={statusBadge(row.status)} title={row.errorType ?? undefined}>
                    {row.status}
                  </span>
                  {denied(row.limitDecision) ? (
                    <div className="muted small">{row.limitDecision}</div>
                  ) : row.errorType ? (
                    <div className="muted small">{row.errorType}</div>
                  ) : null}
                </td>
                <td>
                  {row.teamId ? (labels.teams[row.teamId] ?? row.teamId) : "—"}
                  {row.apiKeyId ? ` · ${labels.keys[row.apiKeyId] ?? row.apiKeyId}` : ""}
                  <div className="muted small">
                    {row.userId ? (labels.users[row.userId] ?? row.userId) : "service key"}
                  </div>
                </td>
                <td>
                  {row.model}
                  <div className="muted small">
                    {row.stream ? "stream" : "json"}
                    {row.agentId ? ` · ${row.agentId}` : ""}
                  </div>
                </td>
                <td>
                  {formatNumber(row.inputTokens)} / {formatNumber(row.cacheReadInputTokens)} /{" "}
                  {formatNumber(row.outputTokens)}
                </td>
                <td>
                  {formatMs(row.latencyMs)}
                  {row.timeToFirstTokenMs !== null ? (
                    <div className="muted small">1st token {formatMs(row.timeToFirstTokenMs)}</div>
                  ) : null}
                </td>
                <td className="small mono truncate" title={row.sessionId ?? undefined}>
                  {row.sessionId ? (
                    <Link href={`/usage/requests?${usageSearch(query, { sessionId: row.sessionId })}`}>
                      {row.sessionId.slice(0, 12)}
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <p className="pager">
          {params.cursor ? (
            <Link className="button ghost" href={`/usage/requests?${usageSearch(query, extra)}`}>
              ← Newest
            </Link>
          ) : null}
          {older ? (
            <Link className="button" href={`/usage/requests?${older}`}>
              Older requests →
            </Link>
          ) : null}
        </p>
      </section>
    </>
  );
}
