import { text } from "./form-data";

/** What an export form offers: each choice of rows (`kind[:granularity]`) and each file format. */
export const exportKindOptions = [
  { value: "usage", label: "Usage (per request)" },
  { value: "usage_rollups:hour", label: "Usage rollups, hourly" },
  { value: "usage_rollups:day", label: "Usage rollups, daily" },
  { value: "audit", label: "Audit log" },
];
export const exportFormatOptions = [
  { value: "csv", label: "CSV" },
  { value: "jsonl", label: "JSON Lines" },
];

/** `2026-03-01` (a UTC day) → its start, or the text itself so validation names the field. */
function dayStart(value: string | undefined, plusDays = 0): string | undefined {
  if (!value) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime())) return value;
  return new Date(date.getTime() + plusDays * 86_400_000).toISOString();
}

/**
 * An export request from a form: kind (`usage_rollups:hour` picks rollups and their granularity in
 * one choice) and format, and the filter either as exact instants (`from`, `to`, as the usage page
 * hands over its range) or as UTC days (`fromDay`, `toDay` included), plus the optional team, key,
 * person and model. Empty fields are left out.
 */
export function exportRequestFromForm(form: FormData): Record<string, unknown> {
  const [kind, granularity] = (text(form, "kind") ?? "").split(":");
  const filter: Record<string, unknown> = {
    from: text(form, "from") ?? dayStart(text(form, "fromDay")),
    to: text(form, "to") ?? dayStart(text(form, "toDay"), 1),
  };
  for (const name of ["teamId", "apiKeyId", "userId", "model"]) {
    const value = text(form, name);
    if (value) filter[name] = value;
  }
  if (granularity) filter.granularity = granularity;
  return { kind: kind || undefined, format: text(form, "format") ?? "csv", filter };
}
