import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ExportFile } from "../operations/exports";

/**
 * A download of an export file, streamed from disk chunk by chunk (never read into memory, however
 * large): attachment with the file's own name, its length, and when its SHA-256 is known, a
 * `Repr-Digest` (RFC 9530) and a strong ETag a client can check the bytes against.
 */
export function exportFileResponse(file: ExportFile): Response {
  const headers = new Headers({
    "content-type": file.contentType,
    "content-length": String(file.bytes),
    "content-disposition": `attachment; filename="${file.downloadName}"`,
    "cache-control": "private, no-store",
  });
  if (file.sha256) {
    headers.set("repr-digest", `sha-256=:${Buffer.from(file.sha256, "hex").toString("base64")}:`);
    headers.set("etag", `"${file.sha256}"`);
  }
  const stream = Readable.toWeb(createReadStream(file.path, { highWaterMark: 256 * 1024 }));
  return new Response(stream as ReadableStream<Uint8Array>, { status: 200, headers });
}
