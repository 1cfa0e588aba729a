import { createModelAs, listModels, updateModelAs } from "../../operations/models";
import { type ApiCall, reply } from "../admin-route";

/** `GET /api/v1/models`: the organization's model catalog. */
export async function listModelsEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await listModels(call.env, call.principal), 200, (models) => ({ models }));
}

/** `POST /api/v1/models` (every field of a catalog model) → 201 the model. */
export async function createModelEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await createModelAs(call.env, call.principal, call.body), 201);
}

/**
 * `PATCH /api/v1/models/{modelId}` (any fields) → the model and `rolledDeploymentIds`: the deployments
 * that roll because a field changing how vLLM starts changed.
 */
export async function updateModelEndpoint(call: ApiCall): Promise<Response> {
  const result = await updateModelAs(call.env, call.principal, { modelId: call.params.modelId, changes: call.body });
  return reply(call, result, 200);
}
