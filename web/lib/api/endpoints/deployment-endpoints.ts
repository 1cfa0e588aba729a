import { z } from "zod";
import {
  createDeploymentAs,
  deleteDeploymentAs,
  getDeploymentAs,
  listDeployments,
  scaleDeploymentAs,
  setDeploymentStateAs,
  updateDeploymentAs,
} from "../../operations/deployments";
import { type ApiCall, reply } from "../admin-route";

/** `GET /api/v1/deployments`: every deployment with its phase and replicas (health, load, routing). */
export async function listDeploymentsEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await listDeployments(call.env, call.principal), 200, (deployments) => ({ deployments }));
}

/**
 * `POST /api/v1/deployments` `{name, modelId, driver, replicas?, spec?, desiredState?}` → 201 in phase
 * `pending`; the worker's reconciler takes it from there.
 */
export async function createDeploymentEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await createDeploymentAs(call.env, call.principal, call.body), 201);
}

/** `GET /api/v1/deployments/{deploymentId}`: desired state, phase, reason, message and replicas. */
export async function getDeploymentEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await getDeploymentAs(call.env, call.principal, call.params.deploymentId ?? ""), 200);
}

const bodyObject = z.record(z.string(), z.unknown());
const asObject = (body: unknown) => {
  const parsed = bodyObject.safeParse(body);
  return parsed.success ? parsed.data : {};
};

/**
 * `PATCH /api/v1/deployments/{deploymentId}` `{spec?, modelId?}` → 202: the whole new spec (env values
 * sent as `***` keep the stored ones) or another model; the reconciler rolls the replicas.
 */
export async function updateDeploymentEndpoint(call: ApiCall): Promise<Response> {
  const body = asObject(call.body);
  const result = await updateDeploymentAs(call.env, call.principal, {
    ...body,
    deploymentId: call.params.deploymentId,
  });
  return reply(call, result, 202);
}

/** `POST /api/v1/deployments/{deploymentId}/scale` `{replicas}` → 202. */
export async function scaleDeploymentEndpoint(call: ApiCall): Promise<Response> {
  const { replicas } = asObject(call.body);
  const result = await scaleDeploymentAs(call.env, call.principal, {
    deploymentId: call.params.deploymentId,
    replicas,
  });
  return reply(call, result, 202);
}

/** `POST /api/v1/deployments/{deploymentId}/stop` → 202: replicas leave routing, drain and stop; the spec stays. */
export async function stopDeploymentEndpoint(call: ApiCall): Promise<Response> {
  const input = { deploymentId: call.params.deploymentId, state: "stopped" };
  return reply(call, await setDeploymentStateAs(call.env, call.principal, input), 202);
}

/** `POST /api/v1/deployments/{deploymentId}/start` → 202. */
export async function startDeploymentEndpoint(call: ApiCall): Promise<Response> {
  const input = { deploymentId: call.params.deploymentId, state: "running" };
  return reply(call, await setDeploymentStateAs(call.env, call.principal, input), 202);
}

/** `DELETE /api/v1/deployments/{deploymentId}` → 202 in phase `deleting`; the row goes once everything is removed. */
export async function deleteDeploymentEndpoint(call: ApiCall): Promise<Response> {
  return reply(
    call,
    await deleteDeploymentAs(call.env, call.principal, { deploymentId: call.params.deploymentId }),
    202,
  );
}
