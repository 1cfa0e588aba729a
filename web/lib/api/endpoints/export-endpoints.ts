import { exportFileResponse } from "../../exports/export-file-response";
import {
  type ExportSummary,
  getExportAs,
  listExports,
  openExportFile,
  requestExportAs,
} from "../../operations/exports";
import { type ApiCall, reply } from "../admin-route";

/** Where an export and, once it has succeeded, its two files are fetched from. */
function links(summary: ExportSummary) {
  const self = `/api/v1/exports/${summary.id}`;
  const done = summary.status === "succeeded";
  return { self, file: done ? `${self}/file` : null, manifest: done ? `${self}/manifest` : null };
}

/**
 * `POST /api/v1/exports` `{kind: usage|usage_rollups|audit, format: csv|jsonl, filter: {from, to, teamId?,
 * apiKeyId?, userId?, model?, granularity?}}` → 202: the export is queued; poll `GET /exports/{id}`.
 */
export async function requestExportEndpoint(call: ApiCall): Promise<Response> {
  const result = await requestExportAs(call.env, call.principal, call.body);
  return reply(call, result, 202, (summary) => ({ ...summary, links: links(summary) }));
}

/** `GET /api/v1/exports?limit`: the organization's exports, newest first. */
export async function listExportsEndpoint(call: ApiCall): Promise<Response> {
  const limit = Number(call.query.get("limit") ?? 50);
  const result = await listExports(call.env, call.principal, { limit: Number.isFinite(limit) ? limit : 50 });
  return reply(call, result, 200, (exports) => ({ exports: exports.map((e) => ({ ...e, links: links(e) })) }));
}

/** `GET /api/v1/exports/{exportId}`: status, progress (rows written of those expected), manifest, links. */
export async function getExportEndpoint(call: ApiCall): Promise<Response> {
  const result = await getExportAs(call.env, call.principal, call.params.exportId ?? "");
  return reply(call, result, 200, (detail) => ({ ...detail, links: links(detail) }));
}

/** `GET /api/v1/exports/{exportId}/file`: the CSV or JSONL, streamed, with its SHA-256 in `Repr-Digest`. */
export async function exportFileEndpoint(call: ApiCall): Promise<Response> {
  const file = await openExportFile(call.env, call.principal, { exportId: call.params.exportId ?? "", part: "file" });
  return file.ok ? exportFileResponse(file.value) : reply(call, file, 200);
}

/** `GET /api/v1/exports/{exportId}/manifest`: the manifest the worker wrote beside the file. */
export async function exportManifestEndpoint(call: ApiCall): Promise<Response> {
  const file = await openExportFile(call.env, call.principal, {
    exportId: call.params.exportId ?? "",
    part: "manifest",
  });
  return file.ok ? exportFileResponse(file.value) : reply(call, file, 200);
}
