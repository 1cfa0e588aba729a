import { hash, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { hashApiKey, type KeyPrincipal, parseApiKey } from "@perimeter/core";
import type { KeyCache } from "../auth/key-cache.ts";

/** A principal that may call the model: an inference key of a team. */
export type TeamPrincipal = KeyPrincipal & { teamId: string };

export type AuthenticateResult =
  | { ok: true; principal: TeamPrincipal }
  | { ok: false; status: 401 | 403; message: string };

/** The tokens a request presents: `x-api-key` and `Authorization: Bearer`, which may both be sent (CC-12, CC-14). */
export function presentedTokens(headers: http.IncomingHttpHeaders): string[] {
  const tokens = new Set<string>();
  const apiKey = headers["x-api-key"];
  for (const value of Array.isArray(apiKey) ? apiKey : [apiKey]) if (value?.trim()) tokens.add(value.trim());
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  if (match?.[1]) tokens.add(match[1]);
  return [...tokens];
}

type Failure = "invalid" | "revoked" | "expired" | "disabled" | "admin";
const failures: Record<Failure, { status: 401 | 403; message: string }> = {
  invalid: { status: 401, message: "invalid API key" },
  revoked: { status: 401, message: "API key has been revoked" },
  expired: { status: 401, message: "API key has expired" },
  disabled: { status: 401, message: "API key's owner or team is disabled" },
  admin: { status: 403, message: "this is an admin API key; calling the model needs a team key" },
};
// When several tokens fail, the reason worth telling is the one only the key's holder could provoke.
const failureRank: Failure[] = ["admin", "revoked", "expired", "disabled", "invalid"];

/**
 * The SHA-256 of the token last verified against each loaded principal. The keyed hash (HMAC with the
 * pepper) is checked once per principal as the cache loads it; later requests with the same token are
 * matched against this digest in constant time, at a fraction of the cost. A reloaded principal (any
 * change to the key, its team or owner) is a new object and starts without one. Only a digest is kept,
 * never the token.
 */
const verifiedDigests = new WeakMap<KeyPrincipal, Buffer>();

async function check(
  deps: { keys: KeyCache; keyPepper: Uint8Array; now: number },
  token: string,
): Promise<TeamPrincipal | Failure> {
  const parsed = parseApiKey(token);
  if (!parsed.ok) return "invalid"; // refused before any lookup
  const principal = await deps.keys.get(parsed.publicId);
  if (!principal) return "invalid";
  const digest = hash("sha256", token, "buffer");
  const verified = verifiedDigests.get(principal);
  if (verified) {
    // One public id has one secret: a token that is not the verified one is not this key's.
    if (!timingSafeEqual(verified, digest)) return "invalid";
  } else {
    const presented = Buffer.from(hashApiKey(deps.keyPepper, token), "hex");
    const stored = Buffer.from(principal.hash, "hex");
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return "invalid";
    verifiedDigests.set(principal, digest);
  }
  // Only a caller holding the right secret learns more than "invalid".
  if (principal.revokedAt) return "revoked";
  if (principal.expiresAt && principal.expiresAt.getTime() <= deps.now) return "expired";
  if (principal.ownerDisabled || principal.teamArchived) return "disabled";
  if (principal.scope !== "inference" || principal.teamId === null) return "admin";
  return principal as TeamPrincipal;
}

/**
 * Finds the team key a request is made with: any presented token that verifies wins, so a stale value in
 * one header does not shadow a good one in the other (AUTH-01). Malformed tokens are refused without
 * I/O; known keys come from the in-process cache (reloaded on change events) and are compared in constant
 * time. 401 `authentication_error` when none verifies (Claude Code then re-runs its `apiKeyHelper`,
 * AUTH-02); 403 `permission_error` for an admin-scope key, which is for the admin API only.
 */
export async function authenticate(
  deps: { keys: KeyCache; keyPepper: Uint8Array },
  headers: http.IncomingHttpHeaders,
): Promise<AuthenticateResult> {
  const tokens = presentedTokens(headers);
  if (tokens.length === 0) {
    return { ok: false, status: 401, message: "missing API key: send it as x-api-key or Authorization: Bearer" };
  }
  const seen: Failure[] = [];
  const now = Date.now();
  for (const token of tokens) {
    const result = await check({ ...deps, now }, token);
    if (typeof result !== "string") return { ok: true, principal: result };
    seen.push(result);
  }
  const reason = failureRank.find((failure) => seen.includes(failure)) ?? "invalid";
  return { ok: false, ...failures[reason] };
}
