import type http from "node:http";

/** Anthropic's limit for Messages and count_tokens request bodies (api/errors: 413 `request_too_large`). */
export const maxBodyBytes = 32 * 1024 * 1024;

export type ReadBodyResult = { ok: true; body: unknown } | { ok: false; status: 400 | 413; message: string };

/**
 * Reads a request body as JSON, refusing more than `limitBytes` (by `content-length` before reading, or
 * as soon as the bytes exceed it) and anything that is not JSON. Reading stops at a refusal; the caller
 * answers with `connection: close` so the rest of an oversized upload is never read.
 */
export function readJsonBody(req: http.IncomingMessage, limitBytes = maxBodyBytes): Promise<ReadBodyResult> {
  const tooLarge = {
    ok: false as const,
    status: 413 as const,
    message: `request body is larger than the ${limitBytes / 1024 / 1024} MB limit`,
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // (The listener stays unnamed: a named closure costs a property definition per request under tsx.)
    req.on("data", (chunk: Buffer) => {
      if (size > limitBytes) return;
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.pause();
      resolve(tooLarge);
    });
    req.once("error", () => resolve({ ok: false, status: 400, message: "request body could not be read" }));
    req.once("end", () => {
      if (size > limitBytes) return;
      if (size === 0) {
        resolve({ ok: false, status: 400, message: "request body is empty; a JSON object is required" });
        return;
      }
      try {
        resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks, size).toString("utf8")) });
      } catch (error) {
        resolve({ ok: false, status: 400, message: `request body is not valid JSON: ${(error as Error).message}` });
      }
    });
  });
}
