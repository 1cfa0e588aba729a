import type { ApiKeyView } from "@perimeter/core";
import { z } from "zod";
import { createKeyAs, listKeys, revokeKeyAs, rotateKeyAs } from "../../operations/keys";
import { fieldErrors, invalid } from "../../operations/operation-result";
import { type ApiCall, reply } from "../admin-route";
import { apiLimitsSchema, toApiFieldNames, toCoreLimits } from "../api-limits";

export const apiCreateKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** ISO 8601 with an offset; omitted or null: never expires. */
  expiresAt: z.iso.datetime({ offset: true }).nullish(),
  limits: apiLimitsSchema.optional(),
  /** A member of the team who owns the key; omitted: a service key of the team. */
  ownerEmail: z.email().optional(),
});

function keyJson(key: ApiKeyView) {
  const { orgId: _orgId, ...rest } = key;
  return rest;
}

/** `GET /api/v1/teams/{teamId}/keys`: the team's keys (never secrets), including revoked ones with `?all=1`. */
export async function listTeamKeysEndpoint(call: ApiCall): Promise<Response> {
  const result = await listKeys(call.env, call.principal, {
    teamId: call.params.teamId,
    includeRevoked: call.query.get("all") === "1",
  });
  return reply(call, result, 200, (keys) => ({ keys: keys.map(({ canManage: _canManage, ...key }) => key) }));
}

/**
 * `POST /api/v1/teams/{teamId}/keys` `{name, expiresAt?, limits?, ownerEmail?}` → 201 `{id, key, last4, …}`.
 * `key` is the whole secret and appears in this response only. Key and limits are created atomically.
 */
export async function createKeyEndpoint(call: ApiCall): Promise<Response> {
  const parsed = apiCreateKeySchema.safeParse(call.body);
  if (!parsed.success) return reply(call, invalid(fieldErrors(parsed.error)), 400);
  const { ownerEmail, limits, ...rest } = parsed.data;
  let ownerUserId: string | null = null;
  if (ownerEmail) {
    const owner = await call.env.db.user.findUnique({
      where: { orgId_email: { orgId: call.principal.orgId, email: ownerEmail.toLowerCase() } },
    });
    if (!owner) return reply(call, invalid({ ownerEmail: "no user with this email" }), 400);
    ownerUserId = owner.id;
  }
  const result = await createKeyAs(call.env, call.principal, {
    ...rest,
    teamId: call.params.teamId,
    ownerUserId,
    ...(limits ? { limits: toCoreLimits(limits) } : {}),
  });
  if (!result.ok && result.code === "INVALID") {
    return reply(call, { ...result, fields: toApiFieldNames(result.fields) }, 400);
  }
  return reply(call, result, 201, ({ key, secret }) => ({ ...keyJson(key), key: secret }));
}

/** `DELETE /api/v1/keys/{keyId}`: revokes the key at once; 409 when it already was. */
export async function revokeKeyEndpoint(call: ApiCall): Promise<Response> {
  const reason = call.query.get("reason") ?? undefined;
  const result = await revokeKeyAs(call.env, call.principal, { keyId: call.params.keyId, reason });
  return reply(call, result, 200, keyJson);
}

/** `POST /api/v1/keys/{keyId}/rotate` `{gracePeriodSec?}` → 201 with the successor's secret (once). */
export async function rotateKeyEndpoint(call: ApiCall): Promise<Response> {
  const body = (call.body ?? {}) as Record<string, unknown>;
  const result = await rotateKeyAs(call.env, call.principal, { ...body, keyId: call.params.keyId });
  return reply(call, result, 201, ({ key, secret, previous }) => ({
    ...keyJson(key),
    key: secret,
    previous: keyJson(previous),
  }));
}
