import { createHmac } from "node:crypto";

// Versioned label: a future scheme can derive a different pepper from the same master secret
// without the two ever colliding.
const pepperLabel = "perimeter/api-key-pepper/v1";

/**
 * Derives the API-key pepper from the server's master secret (PERIMETER_SECRET):
 * HMAC-SHA256(key = secret, message = "perimeter/api-key-pepper/v1"), 32 bytes. Deterministic, so
 * every gateway and web replica computes the same pepper; changing the secret invalidates every key.
 */
export function deriveKeyPepper(secret: string): Uint8Array {
  if (secret.length === 0) throw new Error("deriveKeyPepper: the master secret must not be empty");
  return new Uint8Array(createHmac("sha256", secret).update(pepperLabel).digest());
}
