import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { formatDateTime } from "../../../lib/format";
import { listAudit, verifyAudit } from "../../../lib/operations/audit";
import { getOrganization } from "../../../lib/operations/organization";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log · Perimeter" };

const textFilters = ["action", "actorId", "targetType", "targetId", "teamId"] as const;

function toDateBound(day: string | undefined, endOfDay: boolean): string | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return day || undefined;
  const start = new Date(`${day}T00:00:00Z`);
  return new Date(start.getTime() + (endOfDay ? 86_400_000 : 0)).toISOString();
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const params = Object.fromEntries(
    Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  );
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const filters: Record<string, unknown> = { limit: 50 };
  for (const name of textFilters) if (params[name]) filters[name] = params[name];
  if (params.cursor) filters.cursor = params.cursor;
  if (params.from) filters.from = toDateBound(params.from, false);
  if (params.to) filters.to = toDateBound(params.to, true);
  const [page, chain, org] = await Promise.all([
    listAudit(env, principal, filters),
    verifyAudit(env, principal),
    getOrganization(env, principal),
  ]);
  if (!chain.ok) notFound();
  const timeZone = org.ok ? org.value.timeZone : "UTC";
  const older =
    page.ok && page.value.nextCursor ? new URLSearchParams({ ...params, cursor: page.value.nextCursor }) : null;
  return (
    <>
      <PageHeader
        title="Audit log"
        lede="Every change to teams, people, keys, limits and settings, with who made it, from where, and the value before and after. Append-only and hash-chained."
      />
      {chain.value.ok ? (
        <p className="notice success" data-testid="chain-status">
          Chain verified: {chain.value.count.toLocaleString("en-US")} events, each linked to the one before. Head hash{" "}
          <code className="mono">{chain.value.headHash?.slice(0, 16)}…</code>
        </p>
      ) : (
        <p className="notice error" role="alert" data-testid="chain-status">
          Chain broken at event #{chain.value.brokenAt.seq} ({chain.value.brokenAt.reason}): {chain.value.count} events
          before it verify. Events were changed or removed outside Perimeter.
        </p>
      )}
      <section className="card" aria-labelledby="filters">
        <h2 id="filters">Filters</h2>
        <form method="get" className="form">
          <div className="grid-4">
            <div className="field">
              <label htmlFor="f-action">Action</label>
              <input id="f-action" name="action" defaultValue={params.action} placeholder="api_key.*" />
            </div>
            <div className="field">
              <label htmlFor="f-actor">Actor id</label>
              <input id="f-actor" name="actorId" defaultValue={params.actorId} placeholder="usr_… or key_…" />
            </div>
            <div className="field">
              <label htmlFor="f-target">Target id</label>
              <input id="f-target" name="targetId" defaultValue={params.targetId} />
            </div>
            <div className="field">
              <label htmlFor="f-team">Team id</label>
              <input id="f-team" name="teamId" defaultValue={params.teamId} />
            </div>
            <div className="field">
              <label htmlFor="f-from">From (UTC)</label>
              <input id="f-from" name="from" type="date" defaultValue={params.from} />
            </div>
            <div className="field">
              <label htmlFor="f-to">To (UTC, inclusive)</label>
              <input id="f-to" name="to" type="date" defaultValue={params.to} />
            </div>
          </div>
          <div className="form-actions">
            <button type="submit" className="button primary">
              Apply
            </button>
            <Link className="button ghost" href="/audit">
              Clear
            </Link>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="events">
        <h2 id="events">Events</h2>
        {!page.ok ? (
          <p className="notice error" role="alert">
            {page.message}
            {page.code === "INVALID"
              ? `: ${Object.entries(page.fields)
                  .map(([f, m]) => `${f} ${m}`)
                  .join("; ")}`
              : ""}
          </p>
        ) : page.value.events.length === 0 ? (
          <p className="empty">No events match.</p>
        ) : (
          <DataTable
            testId="audit-table"
            className="audit-table"
            columns={["#", `When (${timeZone})`, "Actor", "Action", "Target", "From", "Change"]}
          >
            {page.value.events.map((event) => (
              <tr key={event.id}>
                <td className="mono">{event.seq}</td>
                <td className="nowrap">{formatDateTime(event.occurredAt, timeZone)}</td>
                <td>
                  {event.actorLabel ?? event.actorType}
                  <div className="muted small mono">{event.actorId ?? event.actorType}</div>
                </td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td className="mono small">
                  {event.targetType}
                  <div className="muted">{event.targetId}</div>
                </td>
                <td className="small">
                  {event.ip ?? "—"}
                  <div className="muted truncate" title={event.userAgent ?? undefined}>
                    {event.userAgent ?? ""}
                  </div>
                </td>
                <td>
                  <details>
                    <summary>before / after</summary>
                    <pre className="json">{JSON.stringify({ before: event.before, after: event.after }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {older ? (
          <p className="pager">
            <Link className="button" href={`/audit?${older.toString()}`}>
              Older events →
            </Link>
          </p>
        ) : null}
      </section>
    </>
  );
}
