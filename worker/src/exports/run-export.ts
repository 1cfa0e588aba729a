import { createHash } from "node:crypto";
import { mkdir, open, rename } from "node:fs/promises";
import path from "node:path";
import {
  type Actor,
  completeExport,
  type ExportJobData,
  type ExportManifest,
  exportFileNames,
  exportGeneratorVersion,
  recordExportProgress,
  startExport,
} from "@perimeter/core";
import { type Db, Prisma } from "@perimeter/db";
import { exportSources, type PageKey } from "./export-sources.ts";
import { renderCsvRow, renderJsonlRow } from "./render-export-rows.ts";

export interface RunExportDeps {
  db: Db;
  /** Absolute directory for files and manifests (`PERIMETER_EXPORT_DIR`). */
  exportDir: string;
}

export interface RunExportHooks {
  /** Aborts when the worker shuts down: the export stops between pages and throws `ExportReleasedError`. */
  closing?: AbortSignal;
  /** Called after each page with the rows written so far. */
  onProgress?: (rowsWritten: number) => Promise<void>;
  /** Rows read per query; the only rows held in memory at once. */
  pageSize?: number;
}

export type RunExportResult =
  | { status: "succeeded"; manifest: ExportManifest }
  | { status: "skipped"; reason: "NOT_FOUND" | "ALREADY_FINISHED" | "NOT_RUNNING" };

/** Thrown when `closing` aborted an export half-way; the job is handed back, not failed. */
export class ExportReleasedError extends Error {
  constructor() {
    super("export released: the worker is shutting down");
  }
}

/** The worker's identity in the audit trail. */
export const workerActor: Actor = { type: "system", label: "worker" };

/** How often, at most, progress reaches the export row (each page still reaches the job). */
const progressEveryMs = 1_000;

/**
 * Writes one export: marks it running, streams the selected rows page by page (keyset pagination in
 * one REPEATABLE READ transaction, so the file is exactly one consistent snapshot however long it
 * takes) to `<id>.<format>.partial` while hashing the bytes, fsyncs and renames it into place, writes
 * `<id>.manifest.json` the same way, then completes the export row with its `export.complete` audit
 * event. Memory stays at one page whatever the row count. A rerun after a crash starts over and
 * overwrites the partial file; a finished export is skipped.
 */
export async function runExport(
  deps: RunExportDeps,
  data: ExportJobData,
  hooks: RunExportHooks = {},
): Promise<RunExportResult> {
  const ctx = { db: deps.db, orgId: data.orgId, actor: workerActor };
  const started = await startExport(ctx, data.exportId);
  if (!started.ok) return { status: "skipped", reason: started.code };
  const job = started.export;
  const source = exportSources[job.kind];
  const names = exportFileNames(job.id, job.format);
  const pageSize = hooks.pageSize ?? 5_000;

  await mkdir(deps.exportDir, { recursive: true });
  const filePath = path.join(deps.exportDir, names.file);
  const partialPath = `${filePath}.partial`;
  const file = await open(partialPath, "w");
  const hash = createHash("sha256");
  let bytes = 0;
  let rowCount = 0;
  let firstRowAt: Date | null = null;
  let lastRowAt: Date | null = null;
  let snapshotAt = new Date();
  let progressAt = Date.now();

  const write = async (text: string) => {
    const buffer = Buffer.from(text, "utf8");
    hash.update(buffer);
    bytes += buffer.length;
    await file.write(buffer);
  };

  try {
    if (job.format === "csv") await write(renderCsvRow(source.columns));
    await deps.db.$transaction(
      async (tx) => {
        const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
        snapshotAt = clock?.now ?? snapshotAt;
        let after: PageKey | null = null;
        do {
          if (hooks.closing?.aborted) throw new ExportReleasedError();
          const page = await source.fetchPage(tx, data.orgId, job.filter, after, pageSize);
          let chunk = "";
          for (const row of page.rows) {
            chunk += job.format === "csv" ? renderCsvRow(row) : renderJsonlRow(source.columns, row);
          }
          if (chunk) await write(chunk);
          rowCount += page.rows.length;
          firstRowAt ??= page.times[0] ?? null;
          lastRowAt = page.times.at(-1) ?? lastRowAt;
          after = page.next;
          await hooks.onProgress?.(rowCount);
          if (Date.now() - progressAt >= progressEveryMs) {
            progressAt = Date.now();
            await recordExportProgress(ctx, { exportId: job.id, rowsWritten: rowCount });
          }
        } while (after);
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 10_000, timeout: 6 * 3_600_000 },
    );
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(partialPath, filePath);

  const manifest: ExportManifest = {
    exportId: job.id,
    orgId: data.orgId,
    kind: job.kind,
    format: job.format,
    filter: job.filter,
    timeRange: {
      from: job.filter.from,
      to: job.filter.to,
      firstRowAt: firstRowAt ? (firstRowAt as Date).toISOString() : null,
      lastRowAt: lastRowAt ? (lastRowAt as Date).toISOString() : null,
    },
    columns: source.columns,
    rowCount,
    bytes,
    sha256: hash.digest("hex"),
    file: names.file,
    generator: exportGeneratorVersion,
    requestedBy: job.requestedBy,
    requestedAt: job.createdAt.toISOString(),
    snapshotAt: snapshotAt.toISOString(),
    completedAt: new Date().toISOString(),
    csvFormulaGuard: job.format === "csv",
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestPath = path.join(deps.exportDir, names.manifest);
  const manifestFile = await open(`${manifestPath}.partial`, "w");
  try {
    await manifestFile.writeFile(manifestText);
    await manifestFile.sync();
  } finally {
    await manifestFile.close();
  }
  await rename(`${manifestPath}.partial`, manifestPath);

  const completed = await completeExport(ctx, {
    exportId: job.id,
    rowCount,
    fileBytes: bytes,
    sha256: manifest.sha256,
    fileName: names.file,
    manifestFileName: names.manifest,
    manifestSha256: createHash("sha256").update(manifestText).digest("hex"),
  });
  if (!completed.ok) return { status: "skipped", reason: completed.code };
  return { status: "succeeded", manifest };
}
