import type { JsonValue } from "./audit-hash.ts";

// Keys compared after lower-casing and dropping `_`/`-`, so `password_hash`, `passwordHash` and
// `PasswordHash` are all caught. Suffixes catch `keyHash`, `clientSecret`, `accessToken` and the like
// without touching counters such as `inputTokensPerDay`.
const secretKeys = new Set(["apikey", "authorization", "cookie", "credential", "credentials", "setcookie"]);
const secretSuffixes = ["hash", "password", "secret", "token", "pepper", "privatekey"];

// A full API key pasted into a free-text field (a key name, a reason) is cut down to its public part.
const apiKeyToken = /sk-prm-([0-9a-z]{12})-[A-Za-z0-9_-]{43}/g;

function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return secretKeys.has(normalized) || secretSuffixes.some((suffix) => normalized.endsWith(suffix));
}

function redact(value: unknown, seen: WeakSet<object>): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
      return value.replace(apiKeyToken, "sk-prm-$1-[REDACTED]");
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      // Exact: a JSON number would lose digits past 2^53.
      return value.toString();
    case "object": {
      if (seen.has(value)) throw new TypeError("redactSecrets: circular structure");
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return redact((value as { toJSON: () => unknown }).toJSON(), seen);
      }
      seen.add(value);
      try {
        if (Array.isArray(value)) return value.map((item) => redact(item, seen) ?? null);
        const out: { [key: string]: JsonValue } = {};
        for (const [key, item] of Object.entries(value)) {
          if (isSecretKey(key)) continue;
          const redacted = redact(item, seen);
          if (redacted !== undefined) out[key] = redacted;
        }
        return out;
      } finally {
        seen.delete(value);
      }
    }
    default:
      // undefined, functions and symbols have no JSON form; like JSON.stringify, drop them.
      return undefined;
  }
}

/**
 * A JSON-safe copy of `value` fit for the audit log: object keys that name secrets (hash,
 * passwordHash, password, secret, token, pepper, apiKey, …) are dropped at any depth, embedded
 * `sk-prm-…` tokens are cut to their public id, Dates become ISO strings and bigints decimal strings.
 * `undefined` becomes `null`.
 */
export function redactSecrets(value: unknown): JsonValue {
  return redact(value, new WeakSet()) ?? null;
}
