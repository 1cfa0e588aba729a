"use server";

import { actAs } from "../../../lib/forms/act-as";
import { onFormFields } from "../../../lib/forms/field-paths";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { modelFieldsFromForm, modelFormFields } from "../../../lib/forms/model-form";
import { createModelAs, updateModelAs } from "../../../lib/operations/models";

/** The answer with every message on a field of the model form. */
function onModelFields(state: FormState): FormState {
  return state.fields ? { ...state, fields: onFormFields(state.fields, modelFormFields) } : state;
}

export async function createModelAction(_state: FormState, form: FormData): Promise<FormState> {
  const state = await actAs(
    (env, principal) => createModelAs(env, principal, modelFieldsFromForm(form)),
    (model) => ({ message: `Model ${model.publicName} added to the catalog.` }),
    ["/models", "/deployments"],
  );
  return onModelFields(state);
}

export async function updateModelAction(_state: FormState, form: FormData): Promise<FormState> {
  const state = await actAs(
    (env, principal) =>
      updateModelAs(env, principal, { modelId: text(form, "modelId") ?? "", changes: modelFieldsFromForm(form) }),
    (model) => ({
      message:
        model.rolledDeploymentIds.length > 0
          ? `Saved. ${model.rolledDeploymentIds.length} deployment(s) of ${model.publicName} roll to the new settings.`
          : `Saved ${model.publicName}.`,
    }),
    ["/models", "/deployments"],
  );
  return onModelFields(state);
}
