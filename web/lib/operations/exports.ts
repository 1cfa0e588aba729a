import { stat } from "node:fs/promises";
import path from "node:path";
import {
  type ExportFilter,
  type ExportKindName,
  type ExportManifest,
  type ExportQueue,
  type ExportView,
  exportFilterSchema,
  exportFormats,
  getExport,
  requestExport,
  toExportView,
} from "@perimeter/core";
import { z } from "zod";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { readExportManifest } from "../exports/read-export-manifest";
import { coreContext, type OperationEnv } from "./operation-env";
import { conflict, forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

/** What people ask to export, and the table behind each. */
export const exportKindNames = {
  usage: "usage_events",
  usage_rollups: "usage_rollups",
  audit: "audit_events",
} as const;
export type ExportKind = keyof typeof exportKindNames;

const kindOf = Object.fromEntries(Object.entries(exportKindNames).map(([kind, table]) => [table, kind])) as Record<
  ExportKindName,
  ExportKind
>;

export const exportRequestSchema = z.strictObject({
  /** `usage`: one row per request; `usage_rollups`: hourly or daily sums; `audit`: the audit log. */
  kind: z.enum(["usage", "usage_rollups", "audit"]),
  format: z.enum(exportFormats).default("csv"),
  filter: exportFilterSchema,
});

/** An export as the dashboard and the API show it. */
export interface ExportSummary extends Omit<ExportView, "kind"> {
  kind: ExportKind;
  /** Rows the export is expected to hold while it runs (from rollups or an index count); null when unknown. */
  estimatedRows: number | null;
}

function summary(view: ExportView, estimatedRows: number | null = null): ExportSummary {
  return { ...view, kind: kindOf[view.kind], estimatedRows };
}

// Requests to Redis are best effort (the worker's sweep enqueues what never arrived), so without a
// configured queue an export still happens, a minute later.
const sweepOnly: ExportQueue = { add: () => Promise.reject(new Error("no export queue configured")) };

/**
 * Asks the worker for an export of usage or audit rows matching a filter (admins and auditors): the
 * request and its `export.request` audit event are written, then the job is queued. Ids in the filter
 * must be of the organization, so a typo is a field error rather than an empty file.
 */
export function requestExportAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<ExportSummary>> {
  return guard(async () => {
    if (!can(principal, "exports.request")) return forbidden("only admins and auditors export");
    const parsed = exportRequestSchema.parse(input);
    const unknown = await unknownFilterIds(env, principal.orgId, parsed.filter);
    if (Object.keys(unknown).length > 0) return invalid(unknown);
    const result = await requestExport(
      coreContext(env, principal),
      { kind: exportKindNames[parsed.kind], format: parsed.format, filter: parsed.filter },
      env.exportQueue ?? sweepOnly,
    );
    return ok(summary(result.export));
  });
}

async function unknownFilterIds(env: OperationEnv, orgId: string, filter: ExportFilter) {
  const fields: Record<string, string> = {};
  const [team, key, user] = await Promise.all([
    filter.teamId ? env.db.team.findFirst({ where: { id: filter.teamId, orgId }, select: { id: true } }) : true,
    filter.apiKeyId ? env.db.apiKey.findFirst({ where: { id: filter.apiKeyId, orgId }, select: { id: true } }) : true,
    filter.userId ? env.db.user.findFirst({ where: { id: filter.userId, orgId }, select: { id: true } }) : true,
  ]);
  if (!team) fields["filter.teamId"] = "no such team";
  if (!key) fields["filter.apiKeyId"] = "no such key";
  if (!user) fields["filter.userId"] = "no such user";
  return fields;
}

/** The organization's exports, newest first (admins and auditors). */
export async function listExports(
  env: OperationEnv,
  principal: Principal,
  input: { limit?: number } = {},
): Promise<OperationResult<ExportSummary[]>> {
  if (!can(principal, "exports.read")) return forbidden();
  const rows = await env.db.exportJob.findMany({
    where: { orgId: principal.orgId },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(input.limit ?? 50, 1), 200),
  });
  const active = rows.filter((row) => row.status === "queued" || row.status === "running");
  const estimates = new Map(
    await Promise.all(
      active.map(async (row) => [row.id, await estimateRows(env, principal.orgId, toExportView(row))] as const),
    ),
  );
  return ok(rows.map((row) => summary(toExportView(row), estimates.get(row.id) ?? null)));
}

export interface ExportDetail extends ExportSummary {
  /** The manifest the worker wrote beside the file, once the export succeeded. */
  manifest: ExportManifest | null;
}

/** One export with its progress and, once written, its manifest; another organization's is NOT_FOUND. */
export async function getExportAs(
  env: OperationEnv,
  principal: Principal,
  exportId: string,
): Promise<OperationResult<ExportDetail>> {
  if (!can(principal, "exports.read")) return notFound("export");
  const found = await getExport({ db: env.db, orgId: principal.orgId }, exportId);
  if (!found.ok) return notFound("export");
  const view = found.export;
  const running = view.status === "queued" || view.status === "running";
  const manifestPath = view.manifestFileName && env.exportDir ? exportPath(env.exportDir, view.manifestFileName) : null;
  return ok({
    ...summary(view, running ? await estimateRows(env, principal.orgId, view) : null),
    manifest: view.status === "succeeded" && manifestPath ? await readExportManifest(manifestPath) : null,
  });
}

/** A file of a finished export, ready to stream: where it is on disk, its size and how to name it. */
export interface ExportFile {
  path: string;
  bytes: number;
  downloadName: string;
  contentType: string;
  /** Hex SHA-256 of the bytes, when known (the data file's is recorded; the manifest's is not). */
  sha256: string | null;
}

const contentTypes = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
  manifest: "application/json; charset=utf-8",
} as const;

/** Names the worker gives files (`exportFileNames`): nothing else is ever read from the directory. */
const exportFileName = /^exp_[0-9a-z]+\.(csv|jsonl|manifest\.json)$/;

/** The absolute path of `name` in the export directory; throws for a name that is not an export file's. */
function exportPath(exportDir: string, name: string): string {
  if (!exportFileName.test(name)) throw new Error(`not an export file name: ${JSON.stringify(name)}`);
  return path.join(exportDir, name);
}

/**
 * The data file or the manifest of a succeeded export, for a download (admins and auditors). Still
 * running or failed: CONFLICT; deleted from the directory since: NOT_FOUND.
 */
export async function openExportFile(
  env: OperationEnv,
  principal: Principal,
  input: { exportId: string; part: "file" | "manifest" },
): Promise<OperationResult<ExportFile>> {
  if (!can(principal, "exports.read")) return notFound("export");
  const found = await getExport({ db: env.db, orgId: principal.orgId }, input.exportId);
  if (!found.ok) return notFound("export");
  const view = found.export;
  if (view.status !== "succeeded" || !view.fileName || !view.manifestFileName) {
    return conflict(`the export is ${view.status}; files exist once it has succeeded`);
  }
  if (!env.exportDir) throw new Error("PERIMETER_EXPORT_DIR is not configured");
  const name = input.part === "file" ? view.fileName : view.manifestFileName;
  const filePath = exportPath(env.exportDir, name);
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) return notFound("export file (it is no longer in the export directory)");
  return ok({
    path: filePath,
    bytes: info.size,
    downloadName: name,
    contentType: input.part === "file" ? contentTypes[view.format] : contentTypes.manifest,
    sha256: input.part === "file" ? view.sha256 : null,
  });
}

/**
 * How many rows a running export will hold, cheaply: usage requests from the hourly rollups (an
 * estimate: the range's first and last hours count whole), rollup and audit rows by an indexed count,
 * with the worker's filters (`export-sources.ts`: audit `userId`/`apiKeyId` name the actor; rollups are daily by default).
 */
async function estimateRows(env: OperationEnv, orgId: string, view: ExportView): Promise<number> {
  const { filter } = view;
  const from = new Date(filter.from);
  const to = new Date(filter.to);
  const dimensions = {
    ...(filter.teamId ? { teamId: filter.teamId } : {}),
    ...(filter.apiKeyId ? { apiKeyId: filter.apiKeyId } : {}),
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.model ? { model: filter.model } : {}),
  };
  if (view.kind === "usage_events") {
    const hourStart = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
    const sum = await env.db.usageRollup.aggregate({
      where: { orgId, granularity: "hour", bucketStart: { gte: hourStart, lt: to }, ...dimensions },
      _sum: { requests: true },
    });
    return Number(sum._sum.requests ?? 0);
  }
  if (view.kind === "usage_rollups") {
    return env.db.usageRollup.count({
      where: { orgId, granularity: filter.granularity ?? "day", bucketStart: { gte: from, lt: to }, ...dimensions },
    });
  }
  return env.db.auditEvent.count({
    where: {
      orgId,
      occurredAt: { gte: from, lt: to },
      ...(filter.teamId ? { teamId: filter.teamId } : {}),
      ...(filter.userId || filter.apiKeyId ? { actorId: filter.userId ?? filter.apiKeyId } : {}),
    },
  });
}
