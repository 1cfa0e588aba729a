"use server";

import { redirect } from "next/navigation";
import { actAs } from "../../../lib/forms/act-as";
import { deploymentFormFields, deploymentSpecFromForm, type FormDriver } from "../../../lib/forms/deployment-form";
import { onFormFields } from "../../../lib/forms/field-paths";
import { integer, text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import {
  createDeploymentAs,
  deleteDeploymentAs,
  scaleDeploymentAs,
  setDeploymentStateAs,
  updateDeploymentAs,
} from "../../../lib/operations/deployments";

const drivers: readonly FormDriver[] = ["simulator", "external", "docker", "kubernetes"];

/** The answer with every message on a field of the deployment form. */
function onDeploymentFields(state: FormState): FormState {
  return state.fields ? { ...state, fields: onFormFields(state.fields, deploymentFormFields) } : state;
}

type SpecRead = { ok: true; spec: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** The spec the form describes, or the fields it could not read. */
function specFrom(form: FormData, driver: string | undefined): SpecRead {
  const known = drivers.find((d) => d === driver);
  if (!known) return { ok: false, errors: { driver: "choose a driver" } };
  const { spec, errors } = deploymentSpecFromForm(form, known);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, spec };
}

const unreadable = (errors: Record<string, string>): FormState => ({
  ok: false,
  message: "some fields are not valid",
  fields: errors,
});

/** Creates a deployment and opens its page, where it is seen coming up. */
export async function createDeploymentAction(_state: FormState, form: FormData): Promise<FormState> {
  const driver = text(form, "driver");
  const read = specFrom(form, driver);
  if (!read.ok) return unreadable(read.errors);
  let created: string | undefined;
  const state = await actAs(
    (env, principal) =>
      createDeploymentAs(env, principal, {
        name: text(form, "name") ?? "",
        modelId: text(form, "modelId") ?? "",
        driver,
        replicas: integer(form, "replicas") ?? 1,
        spec: read.spec,
      }),
    (deployment) => {
      created = deployment.id;
      return { message: `Deployment ${deployment.name} created.` };
    },
    ["/deployments"],
  );
  if (state.ok && created) redirect(`/deployments/${created}`);
  return onDeploymentFields(state);
}

/** Replaces the spec (and maybe the model); the reconciler rolls the replicas. */
export async function updateDeploymentSpecAction(_state: FormState, form: FormData): Promise<FormState> {
  const read = specFrom(form, text(form, "driver"));
  if (!read.ok) return unreadable(read.errors);
  const state = await actAs(
    (env, principal) =>
      updateDeploymentAs(env, principal, {
        deploymentId: text(form, "deploymentId") ?? "",
        modelId: text(form, "modelId"),
        spec: read.spec,
      }),
    (deployment) => ({ message: `Saved: generation ${deployment.generation} rolls out now.` }),
    ["/deployments"],
  );
  return onDeploymentFields(state);
}

export async function scaleDeploymentAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      scaleDeploymentAs(env, principal, {
        deploymentId: text(form, "deploymentId"),
        replicas: integer(form, "replicas"),
      }),
    (deployment) => ({ message: `Scaling to ${deployment.desiredReplicas} replica(s).` }),
    ["/deployments"],
  );
}

export async function setDeploymentStateAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      setDeploymentStateAs(env, principal, { deploymentId: text(form, "deploymentId"), state: text(form, "state") }),
    (deployment) => ({ message: deployment.desiredState === "stopped" ? "Stopping." : "Starting." }),
    ["/deployments"],
  );
}

export async function deleteDeploymentAction(_state: FormState, form: FormData): Promise<FormState> {
  const state = await actAs(
    (env, principal) => deleteDeploymentAs(env, principal, { deploymentId: text(form, "deploymentId") }),
    (deployment) => ({ message: `Deleting ${deployment.name}.` }),
    ["/deployments"],
  );
  if (state.ok) redirect("/deployments");
  return state;
}
