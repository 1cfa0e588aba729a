import { z } from "zod";
import type { Actor } from "./context.ts";

// The contract between `requestExport` (web, admin API) and the worker's export job: queue and job
// names, job data, the filter, file names under the export directory and the manifest's shape.
// The queue lives under BullMQ prefix `perimeter`, like every worker queue.

export const exportQueueName = "exports";
export const exportJobName = "export";
/** Written into every manifest; bump when columns or encoding change, so old manifests stay readable. */
export const exportGeneratorVersion = "perimeter-export/1";

export const exportJobDataSchema = z.object({ exportId: z.string(), orgId: z.string() });
export type ExportJobData = z.infer<typeof exportJobDataSchema>;

/** The BullMQ options of an export job: its id is the export's, so enqueuing twice is a no-op. */
export function exportJobOptions(exportId: string) {
  return {
    jobId: exportId,
    attempts: 3,
    backoff: { type: "exponential" as const, delay: 5_000 },
    removeOnComplete: 1_000,
    removeOnFail: 1_000,
  };
}

/** Where `requestExport` enqueues; a BullMQ `Queue` named `exportQueueName` satisfies it. */
export interface ExportQueue {
  add(name: string, data: ExportJobData, opts: ReturnType<typeof exportJobOptions>): Promise<unknown>;
}

export const exportKinds = ["usage_events", "usage_rollups", "audit_events"] as const;
export type ExportKindName = (typeof exportKinds)[number];
export const exportFormats = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof exportFormats)[number];

const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/**
 * Rows with a time in `[from, to)` (event time for usage, bucket start for rollups, occurrence for
 * audit events), optionally narrowed to one team, key, user or model. For audit events `userId` and
 * `apiKeyId` select the actor, and `model` does not apply; rollups are exported at `granularity`.
 */
export const exportFilterSchema = z
  .strictObject({
    from: isoTime,
    to: isoTime,
    teamId: z.string().min(1).optional(),
    apiKeyId: z.string().min(1).optional(),
    userId: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    granularity: z.enum(["hour", "day"]).optional(),
  })
  .refine((filter) => filter.from < filter.to, { message: "must be after from", path: ["to"] });
export type ExportFilter = z.output<typeof exportFilterSchema>;

/** File names of an export, relative to the export directory (`PERIMETER_EXPORT_DIR`). */
export function exportFileNames(exportId: string, format: ExportFormat): { file: string; manifest: string } {
  return { file: `${exportId}.${format}`, manifest: `${exportId}.manifest.json` };
}

/** The manifest written beside every finished export (`<id>.manifest.json`). */
export interface ExportManifest {
  exportId: string;
  orgId: string;
  kind: ExportKindName;
  format: ExportFormat;
  filter: ExportFilter;
  /** The time range the rows were selected from (the filter's), and the first and last row times. */
  timeRange: { from: string; to: string; firstRowAt: string | null; lastRowAt: string | null };
  columns: string[];
  rowCount: number;
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  file: string;
  generator: string;
  requestedBy: Actor;
  requestedAt: string;
  /** The rows are those visible in one database snapshot taken at this time. */
  snapshotAt: string;
  completedAt: string;
  /** CSV cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`…) are prefixed with `'`. */
  csvFormulaGuard: boolean;
}
