import { verifyApiKey } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Principal } from "../authz/principal";

export type ApiAuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; type: "authentication_error" | "permission_error"; message: string };

const authFailures = {
  MALFORMED: "the token is not a Perimeter API token (sk-prm-…)",
  NOT_FOUND: "invalid API token",
  INVALID: "invalid API token",
  REVOKED: "this API token has been revoked",
  EXPIRED: "this API token has expired",
} as const;

/** The token from `Authorization: Bearer …` or `x-api-key`, whichever is present. */
export function presentedToken(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? headers.get("x-api-key")?.trim() ?? null;
}

/**
 * Authenticates an `/api/v1` call: an admin-scope API token (such as the one registered from
 * PERIMETER_ADMIN_TOKEN) becomes an admin principal acting as that key. No token, an unknown, revoked or
 * expired one is 401; a valid inference key (meant for the gateway) is 403.
 */
export async function authenticateApiToken(
  deps: { db: Db; keyPepper: Uint8Array; now?: () => Date },
  headers: Headers,
): Promise<ApiAuthResult> {
  const token = presentedToken(headers);
  if (!token) {
    return {
      ok: false,
      status: 401,
      type: "authentication_error",
      message: "send an admin API token as Authorization: Bearer sk-prm-…",
    };
  }
  const verified = await verifyApiKey(deps, token);
  if (!verified.ok)
    return { ok: false, status: 401, type: "authentication_error", message: authFailures[verified.code] };
  const key = verified.key;
  if (key.scope !== "admin") {
    return {
      ok: false,
      status: 403,
      type: "permission_error",
      message: "this is an inference key for the gateway; the admin API needs an admin-scope token",
    };
  }
  return {
    ok: true,
    principal: {
      kind: "api_key",
      orgId: key.orgId,
      actor: { type: "api_key", id: key.id, label: key.name },
      userId: null,
      email: null,
      name: key.name,
      orgRole: "admin",
      teamRoles: new Map(),
    },
  };
}
