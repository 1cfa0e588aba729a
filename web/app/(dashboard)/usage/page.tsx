import type { Metadata } from "next";
import Link from "next/link";
import { DataTable, NameCell } from "../../../components/data-table";
import { PageHeader } from "../../../components/page-header";
import { ChartLegend, StackedBarChart, seriesClass } from "../../../components/stacked-bar-chart";
import { UsageFilters } from "../../../components/usage-filters";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { foldGroups, topGroups } from "../../../lib/charts/stacked-bars";
import { formatBucket, formatMs, formatNumber } from "../../../lib/format";
import { usageLabels } from "../../../lib/operations/usage";
import { loadUsageReport } from "../../../lib/usage/load-usage-report";
import { loadUsageFilterOptions } from "../../../lib/usage/usage-filter-options";
import { parseUsageQuery, singleParams, usageSearch } from "../../../lib/usage/usage-query";
import { groupLabel, groupTotals, metricSeries, usageMetrics } from "../../../lib/usage/usage-series";
import { ExportThisForm } from "./export-this-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Usage · Perimeter" };

const otherKey = "__other__";
const maxGroups = 8;

export default async function UsagePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const params = singleParams(raw);
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const query = parseUsageQuery(params, new Date());
  const [report, options] = await Promise.all([
    loadUsageReport(env, principal, {
      startingAt: query.from.toISOString(),
      endingAt: query.to.toISOString(),
      bucketWidth: query.bucket,
      groupBy: query.dimension ? [query.dimension] : [],
      teamIds: query.teamId ? [query.teamId] : undefined,
      apiKeyIds: query.apiKeyId ? [query.apiKeyId] : undefined,
      userIds: query.userId ? [query.userId] : undefined,
      models: query.model ? [query.model] : undefined,
    }),
    loadUsageFilterOptions(env, principal),
  ]);
  const buckets = report.ok ? report.value : [];
  const rows = buckets.flatMap((bucket) => bucket.results);
  const labels = await usageLabels(env, principal, {
    teamIds: rows.flatMap((row) => (row.team_id ? [row.team_id] : [])),
    apiKeyIds: rows.flatMap((row) => (row.api_key_id ? [row.api_key_id] : [])),
    userIds: rows.flatMap((row) => (row.user_id ? [row.user_id] : [])),
  });
  const totals = groupTotals(buckets, query.dimension);
  const names: Record<string, string> = { [otherKey]: "Everything else" };
  for (const group of totals) names[group.key] = groupLabel(group.key, query.dimension, labels);
  const requestsSeries = topGroups(metricSeries(buckets, query.dimension, "requests"), maxGroups, otherKey);
  // Every chart uses the groups (and colours) of the requests chart, so a colour means one thing on the page.
  const groups = requestsSeries.groups;
  const kept = new Set(groups);
  const overall = totals.reduce(
    (sum, group) => {
      for (const metric of usageMetrics) sum[metric.id] += group[metric.id];
      return sum;
    },
    { requests: 0, input: 0, cacheRead: 0, output: 0, errors: 0, denied: 0 },
  );
  const scope = can(principal, "usage.read.all")
    ? "the whole organization"
    : query.teamId
      ? "this team"
      : "your own keys";
  const bucketLabel = (start: string, short: boolean) => formatBucket(start, query.bucket, short);
  return (
    <>
      <PageHeader
        title="Usage"
        lede={`Requests, tokens, errors and limit denials over time for ${scope}, from hourly and daily rollups (they trail live traffic by under a minute). Times are UTC.`}
      >
        <Link className="button" href={`/usage/requests?${usageSearch(query)}`}>
          Request log
        </Link>
      </PageHeader>
      <UsageFilters action="/usage" query={query} options={options} grouping />
      {!report.ok ? (
        <p className="notice error" role="alert">
          {report.code === "NOT_FOUND"
            ? `Nothing to show: ${report.message}.`
            : report.code === "INVALID"
              ? `Cannot show this range: ${Object.values(report.fields).join("; ")}`
              : report.message}
        </p>
      ) : (
        <>
          <section className="tiles" aria-label="Totals over the range" data-testid="usage-totals">
            {usageMetrics.map((metric) => (
              <div className="tile" key={metric.id}>
                <span className="tile-label">{metric.title}</span>
                <strong className="tile-value" data-metric={metric.id}>
                  {formatNumber(overall[metric.id])}
                </strong>
              </div>
            ))}
          </section>
          <section className="card" aria-labelledby="usage-charts">
            <div className="card-head">
              <h2 id="usage-charts">Over time</h2>
              <ChartLegend groups={groups} labels={names} otherKey={otherKey} />
            </div>
            <div className="chart-grid">
              {usageMetrics.map((metric) => (
                <StackedBarChart
                  key={metric.id}
                  testId={`chart-${metric.id}`}
                  title={metric.title}
                  buckets={
                    metric.id === "requests"
                      ? requestsSeries.buckets
                      : foldGroups(metricSeries(buckets, query.dimension, metric.id), kept, otherKey)
                  }
                  groups={groups}
                  labels={names}
                  otherKey={otherKey}
                  bucketLabel={bucketLabel}
                />
              ))}
            </div>
          </section>
          <section className="card" aria-labelledby="usage-groups">
            <h2 id="usage-groups">{query.dimension ? "By group" : "Totals"}</h2>
            {totals.length === 0 ? (
              <p className="empty">No requests in this range.</p>
            ) : (
              <DataTable
                testId="usage-table"
                className="numeric-table"
                columns={["", "Requests", "Input", "Cache read", "Output", "Errors", "Denied", "Avg latency"]}
              >
                {totals.map((group) => {
                  const index = groups.indexOf(group.key);
                  return (
                    <tr key={group.key}>
                      <NameCell
                        name={
                          <>
                            <span
                              className={`swatch ${seriesClass(index < 0 ? groups.length - 1 : index, index < 0)}`}
                              aria-hidden="true"
                            />
                            {names[group.key]}
                          </>
                        }
                      />
                      <td>{formatNumber(group.requests)}</td>
                      <td>{formatNumber(group.input)}</td>
                      <td>{formatNumber(group.cacheRead)}</td>
                      <td>{formatNumber(group.output)}</td>
                      <td>{formatNumber(group.errors)}</td>
                      <td>{formatNumber(group.denied)}</td>
                      <td>{formatMs(group.avgLatencyMs)}</td>
                    </tr>
                  );
                })}
              </DataTable>
            )}
          </section>
        </>
      )}
      {can(principal, "exports.request") ? (
        <ExportThisForm
          filter={{
            from: query.from.toISOString(),
            to: query.to.toISOString(),
            teamId: query.teamId,
            apiKeyId: query.apiKeyId,
            userId: query.userId,
            model: query.model,
          }}
        />
      ) : null}
    </>
  );
}
