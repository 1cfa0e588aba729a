import type { VisionPolicyView } from "@perimeter/core";
import { z } from "zod";
import { fieldErrors, invalid } from "../../operations/operation-result";
import { getVisionPolicies, setVisionPolicyAs } from "../../operations/vision-policies";
import { type ApiCall, reply } from "../admin-route";

/** The body of `PUT /api/v1/teams/{teamId}/vision-policies/{modelId}`. */
export const apiVisionPolicySchema = z.strictObject({
  mode: z.enum(["placeholder", "reject", "describe", "route"]),
  /** For `describe` and `route`; omitted or null: the organization's only vision model. */
  visionModelId: z.string().min(1).nullish(),
});

const shape = ({ id, teamId, modelId, model, mode, visionModelId, visionModel, updatedAt }: VisionPolicyView) => ({
  id,
  teamId,
  modelId,
  model,
  mode,
  visionModelId,
  visionModel,
  updatedAt,
});

/** `GET /api/v1/teams/{teamId}/vision-policies`: the team's policy for each model that has one. */
export async function listVisionPoliciesEndpoint(call: ApiCall): Promise<Response> {
  const result = await getVisionPolicies(call.env, call.principal, call.params.teamId ?? "");
  return reply(call, result, 200, ({ policies }) => ({ policies: policies.map(shape) }));
}

/** `PUT /api/v1/teams/{teamId}/vision-policies/{modelId}` `{mode, visionModelId?}`: creates or replaces it. */
export async function putVisionPolicyEndpoint(call: ApiCall): Promise<Response> {
  const parsed = apiVisionPolicySchema.safeParse(call.body);
  if (!parsed.success) return reply(call, invalid(fieldErrors(parsed.error)), 400);
  const result = await setVisionPolicyAs(call.env, call.principal, {
    ...parsed.data,
    teamId: call.params.teamId ?? "",
    modelId: call.params.modelId ?? "",
  });
  return reply(call, result, 200, ({ policy, created }) => ({ ...shape(policy), created }));
}
