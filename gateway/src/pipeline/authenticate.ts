import type http from "node:http";
import { type ApiKeyView, type VerifyApiKeyFailure, verifyApiKey } from "@perimeter/core";
import type { Db } from "@perimeter/db";

export type AuthenticateResult =
  | { ok: true; key: ApiKeyView & { teamId: string } }
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

const failureMessages: Record<VerifyApiKeyFailure, string> = {
  MALFORMED: "invalid API key",
  NOT_FOUND: "invalid API key",
  INVALID: "invalid API key",
  REVOKED: "API key has been revoked",
  EXPIRED: "API key has expired",
};
// When several tokens fail, the reason worth telling is the one only the key's holder could provoke.
const failureRank: VerifyApiKeyFailure[] = ["REVOKED", "EXPIRED", "INVALID", "NOT_FOUND", "MALFORMED"];

/**
 * Finds the team key a request is made with: any presented token that verifies wins, so a stale value in
 * one header does not shadow a good one in the other (AUTH-01). Malformed tokens are refused without
 * I/O. 401 `authentication_error` when none verifies (Claude Code then re-runs its `apiKeyHelper`,
 * AUTH-02); 403 `permission_error` for an admin-scope key, which is for the admin API only.
 */
export async function authenticate(
  deps: { db: Db; keyPepper: Uint8Array },
  headers: http.IncomingHttpHeaders,
): Promise<AuthenticateResult> {
  const tokens = presentedTokens(headers);
  if (tokens.length === 0) {
    return { ok: false, status: 401, message: "missing API key: send it as x-api-key or Authorization: Bearer" };
  }
  const failures: VerifyApiKeyFailure[] = [];
  for (const token of tokens) {
    const result = await verifyApiKey(deps, token);
    if (!result.ok) {
      failures.push(result.code);
      continue;
    }
    const { key } = result;
    if (key.scope !== "inference" || key.teamId === null) {
      return { ok: false, status: 403, message: "this is an admin API key; calling the model needs a team key" };
    }
    return { ok: true, key: { ...key, teamId: key.teamId } };
  }
  const reason = failureRank.find((code) => failures.includes(code)) ?? "INVALID";
  return { ok: false, status: 401, message: failureMessages[reason] };
}
