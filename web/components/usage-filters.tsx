import Link from "next/link";
import type { ReactNode } from "react";
import type { UsageFilterOptions } from "../lib/usage/usage-filter-options";
import { type UsageQuery, usageRanges } from "../lib/usage/usage-query";
import { Field, SelectField } from "./action-form";

const groupOptions = [
  { value: "", label: "Nothing (totals)" },
  { value: "team", label: "Team" },
  { value: "key", label: "API key" },
  { value: "user", label: "Person" },
  { value: "model", label: "Model" },
];

/**
 * The filters of the usage page and the request log, as a GET form, so every view has a URL to
 * share or bookmark. `extra` adds fields of one page (status and session for the log), `grouping`
 * the bucket and group-by choices of the charts.
 */
export function UsageFilters({
  action,
  query,
  options,
  grouping,
  extra,
}: {
  action: string;
  query: UsageQuery;
  options: UsageFilterOptions;
  grouping: boolean;
  extra?: ReactNode;
}) {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return (
    <section className="card" aria-labelledby="usage-filters">
      <h2 id="usage-filters">Filters</h2>
      <form method="get" action={action} className="form" data-testid="usage-filters">
        <div className="grid-4">
          <SelectField
            name="range"
            label="Range"
            defaultValue={query.range}
            options={[
              ...Object.entries(usageRanges).map(([value, range]) => ({ value, label: range.label })),
              { value: "custom", label: "Custom days (UTC)" },
            ]}
          />
          <Field
            name="from"
            label="From (UTC day)"
            type="date"
            defaultValue={query.range === "custom" ? day(query.from) : ""}
            hint="With a custom range"
          />
          <Field
            name="to"
            label="To (UTC day, included)"
            type="date"
            defaultValue={query.range === "custom" ? day(new Date(query.to.getTime() - 86_400_000)) : ""}
          />
          {grouping ? (
            <>
              <SelectField
                name="bucket"
                label="Buckets"
                defaultValue={query.bucket}
                options={[
                  { value: "1h", label: "Hourly" },
                  { value: "1d", label: "Daily" },
                ]}
              />
              <SelectField name="groupBy" label="Group by" defaultValue={query.groupBy ?? ""} options={groupOptions} />
            </>
          ) : null}
          <SelectField name="teamId" label="Team" defaultValue={query.teamId ?? ""} options={options.teams} />
          <SelectField
            name="apiKeyId"
            label="API key"
            defaultValue={query.apiKeyId ?? ""}
            options={[{ value: "", label: "Any key" }, ...options.keys]}
          />
          {options.users.length > 0 ? (
            <SelectField
              name="userId"
              label="Person"
              defaultValue={query.userId ?? ""}
              options={[{ value: "", label: "Anyone" }, ...options.users]}
            />
          ) : null}
          <div className="field">
            <label htmlFor="usage-model">Model</label>
            <input id="usage-model" name="model" list="usage-models" defaultValue={query.model} placeholder="any" />
            <datalist id="usage-models">
              {options.models.map((model) => (
                <option key={model} value={model} />
              ))}
            </datalist>
          </div>
          {extra}
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary">
            Apply
          </button>
          <Link className="button ghost" href={action}>
            Reset
          </Link>
        </div>
      </form>
      {Object.keys(query.errors).length > 0 ? (
        <p className="notice error" role="alert">
          {Object.entries(query.errors)
            .map(([field, message]) => `${field}: ${message}`)
            .join("; ")}
        </p>
      ) : null}
    </section>
  );
}
