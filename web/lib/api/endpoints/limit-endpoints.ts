import type { LimitTarget } from "@perimeter/core";
import { setLimitsAs } from "../../operations/limits";
import { fieldErrors, invalid } from "../../operations/operation-result";
import { type ApiCall, reply } from "../admin-route";
import { apiLimitsSchema, toApiFieldNames, toApiLimits, toCoreLimits } from "../api-limits";

async function putLimits(call: ApiCall, target: LimitTarget): Promise<Response> {
  const parsed = apiLimitsSchema.safeParse(call.body);
  if (!parsed.success) return reply(call, invalid(fieldErrors(parsed.error)), 400);
  const result = await setLimitsAs(call.env, call.principal, { target, limits: toCoreLimits(parsed.data) });
  if (!result.ok && result.code === "INVALID") {
    return reply(call, { ...result, fields: toApiFieldNames(result.fields) }, 400);
  }
  return reply(call, result, 200, ({ policy, created }) => ({ ...toApiLimits(policy), created }));
}

/** `PUT /api/v1/teams/{teamId}/limits`: sets the team's limits (omitted fields unchanged, null clears). */
export function putTeamLimitsEndpoint(call: ApiCall): Promise<Response> {
  return putLimits(call, { type: "team", teamId: call.params.teamId ?? "" });
}

/** `PUT /api/v1/keys/{keyId}/limits`: sets one key's limits. */
export function putKeyLimitsEndpoint(call: ApiCall): Promise<Response> {
  return putLimits(call, { type: "key", apiKeyId: call.params.keyId ?? "" });
}
