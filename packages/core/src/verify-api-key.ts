import { timingSafeEqual } from "node:crypto";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
import { currentTime, type DbClient } from "./context.ts";
import { hashApiKey } from "./hash-api-key.ts";
import { parseApiKey } from "./parse-api-key.ts";

export interface VerifyApiKeyDeps {
  db: DbClient;
  keyPepper: Uint8Array;
  now?: () => Date;
}

export type VerifyApiKeyFailure = "MALFORMED" | "NOT_FOUND" | "INVALID" | "REVOKED" | "EXPIRED";

export type VerifyApiKeyResult = { ok: true; key: ApiKeyView } | { ok: false; code: VerifyApiKeyFailure };

/**
 * Checks a presented `sk-prm-…` token. Malformed tokens are MALFORMED without any I/O; otherwise the
 * key is looked up by its public id (NOT_FOUND) and its HMAC compared in constant time (INVALID).
 * Only a caller who holds the right secret learns that a key is REVOKED or EXPIRED (at or after
 * `expiresAt`). Reads only: recording `lastUsedAt` is the usage pipeline's job, off the hot path.
 */
export async function verifyApiKey(deps: VerifyApiKeyDeps, token: string): Promise<VerifyApiKeyResult> {
  const parsed = parseApiKey(token);
  if (!parsed.ok) return { ok: false, code: "MALFORMED" };
  const presented = Buffer.from(hashApiKey(deps.keyPepper, token), "hex");
  const key = await deps.db.apiKey.findUnique({ where: { publicId: parsed.publicId } });
  if (!key) return { ok: false, code: "NOT_FOUND" };
  const stored = Buffer.from(key.hash, "hex");
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return { ok: false, code: "INVALID" };
  if (key.revokedAt) return { ok: false, code: "REVOKED" };
  if (key.expiresAt && key.expiresAt <= currentTime(deps)) return { ok: false, code: "EXPIRED" };
  return { ok: true, key: toApiKeyView(key) };
}
