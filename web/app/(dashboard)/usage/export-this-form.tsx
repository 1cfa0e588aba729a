import { ActionForm, SelectField } from "../../../components/action-form";
import { requestExportAction } from "../exports/actions";

/** "Export these requests": the usage page's range and filters, as a file made by the worker. */
export function ExportThisForm({ filter }: { filter: Record<string, string | undefined> }) {
  return (
    <section className="card" aria-labelledby="export-this">
      <h2 id="export-this">Export this usage</h2>
      <p className="muted">
        The same range and filters, as a file: one row per request, or the hourly rollups behind the charts. It is
        written in the background; the Exports page shows its progress, its SHA-256 and the download.
      </p>
      <ActionForm action={requestExportAction} submitLabel="Request export" testId="export-this-form">
        {Object.entries(filter).map(([name, value]) =>
          value ? <input key={name} type="hidden" name={name} value={value} /> : null,
        )}
        <div className="grid-3">
          <SelectField
            name="kind"
            label="Rows"
            defaultValue="usage"
            options={[
              { value: "usage", label: "One per request" },
              { value: "usage_rollups:hour", label: "Hourly rollups" },
              { value: "usage_rollups:day", label: "Daily rollups" },
            ]}
          />
          <SelectField
            name="format"
            label="Format"
            defaultValue="csv"
            options={[
              { value: "csv", label: "CSV" },
              { value: "jsonl", label: "JSON Lines" },
            ]}
          />
        </div>
      </ActionForm>
    </section>
  );
}
