/** Every Perimeter API key starts with this. */
export const apiKeyPrefix = "sk-prm-";

/** `sk-prm-` + 12 lower-case Crockford base32 characters + `-` + 43 base64url characters (32 bytes). */
const apiKeyPattern = /^sk-prm-([0-9abcdefghjkmnpqrstvwxyz]{12})-([A-Za-z0-9_-]{43})$/;

export type ParseApiKeyResult = { ok: true; publicId: string; secret: string } | { ok: false; code: "MALFORMED" };

/**
 * Splits a presented token into its public id and secret, or rejects it as MALFORMED. Pure: a
 * malformed token is turned away before any database or cache lookup.
 */
export function parseApiKey(token: unknown): ParseApiKeyResult {
  if (typeof token !== "string") return { ok: false, code: "MALFORMED" };
  const match = apiKeyPattern.exec(token);
  if (!match?.[1] || !match[2]) return { ok: false, code: "MALFORMED" };
  return { ok: true, publicId: match[1], secret: match[2] };
}
