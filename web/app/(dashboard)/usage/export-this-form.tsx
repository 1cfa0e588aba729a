import { ActionForm, SelectField } from "../../../components/action-form";
import { exportFormatOptions, exportKindOptions } from "../../../lib/forms/export-form";
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
            options={exportKindOptions.filter((option) => option.value.startsWith("usage"))}
          />
          <SelectField name="format" label="Format" defaultValue="csv" options={exportFormatOptions} />
        </div>
      </ActionForm>
    </section>
  );
}
