import type { ExportJob } from "@perimeter/db";
import type { Actor } from "./context.ts";
import type { ExportFilter, ExportFormat, ExportKindName } from "./export-contract.ts";

/** An export as web and API show it; counts are numbers, files are names in the export directory. */
export interface ExportView {
  id: string;
  kind: ExportKindName;
  format: ExportFormat;
  status: ExportJob["status"];
  filter: ExportFilter;
  requestedBy: Actor;
  /** Rows written so far; equals `rowCount` once succeeded. */
  rowsWritten: number;
  rowCount: number | null;
  sha256: string | null;
  fileName: string | null;
  manifestFileName: string | null;
  fileBytes: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const toNumber = (value: bigint | null): number | null => (value === null ? null : Number(value));

/** Projects an export row to an `ExportView`. */
export function toExportView(row: ExportJob): ExportView {
  return {
    id: row.id,
    kind: row.kind,
    format: row.format as ExportFormat,
    status: row.status,
    filter: row.params as unknown as ExportFilter,
    requestedBy: row.requestedByActor as unknown as Actor,
    rowsWritten: Number(row.rowsWritten),
    rowCount: toNumber(row.rowCount),
    sha256: row.sha256,
    fileName: row.fileLocation,
    manifestFileName: row.manifestLocation,
    fileBytes: toNumber(row.fileBytes),
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
