import type http from "node:http";

/** Writes a complete JSON response with an explicit length (no chunked encoding for small bodies). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}
