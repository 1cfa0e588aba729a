/** A cell as the database returns it, before it is written to a file. */
export type ExportCell =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | undefined
  | Record<string, unknown>
  | unknown[];

/** Characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection"). */
const formulaStart = /^[=+\-@\t\r]/;

/** A cell as JSON: times in ISO-8601, bigints as numbers while exact (else strings), absent as null. */
export function jsonCell(value: ExportCell): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  // Array columns (rollup latency histograms) hold bigints, which JSON cannot carry as they are.
  if (Array.isArray(value)) return value.map((item) => jsonCell(item as ExportCell));
  return value;
}

function csvCell(value: ExportCell): string {
  const json = jsonCell(value);
  if (json === null) return "";
  let text: string;
  if (typeof json === "string") {
    // Client-controlled text (user agents, session ids) must not run as a formula when an auditor
    // opens the file in a spreadsheet; the manifest records that the guard is applied.
    text = formulaStart.test(json) ? `'${json}` : json;
  } else if (typeof json === "object") {
    text = JSON.stringify(json);
  } else {
    text = String(json);
  }
  // RFC 4180: quote a field holding a quote, comma or line break, doubling its quotes.
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record (RFC 4180, CRLF-terminated). */
export function renderCsvRow(values: readonly ExportCell[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** One JSON Lines record: an object with the columns in order, LF-terminated. */
export function renderJsonlRow(columns: readonly string[], values: readonly ExportCell[]): string {
  const record: Record<string, unknown> = {};
  for (const [index, column] of columns.entries()) record[column] = jsonCell(values[index]);
  return `${JSON.stringify(record)}\n`;
}
