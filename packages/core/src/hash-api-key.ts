import { createHmac } from "node:crypto";

/**
 * Hex HMAC-SHA256 of the whole token under the key pepper: the only form of a key the database holds.
 * Keyed, so a leaked `api_keys` table alone cannot be used to test guesses.
 */
export function hashApiKey(keyPepper: Uint8Array, token: string): string {
  return createHmac("sha256", keyPepper).update(token, "utf8").digest("hex");
}
