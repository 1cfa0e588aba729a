"use server";

import { redirect } from "next/navigation";
import { actAs } from "../../../lib/forms/act-as";
import { exportRequestFromForm } from "../../../lib/forms/export-form";
import type { FormState } from "../../../lib/forms/form-state";
import { requestExportAs } from "../../../lib/operations/exports";

/** Asks the worker for an export, then shows it on the exports page, where its progress appears. */
export async function requestExportAction(_state: FormState, form: FormData): Promise<FormState> {
  let requested: string | undefined;
  const state = await actAs(
    (env, principal) => requestExportAs(env, principal, exportRequestFromForm(form)),
    (summary) => {
      requested = summary.id;
      return { message: `Export ${summary.id} requested.` };
    },
    ["/exports"],
  );
  if (state.ok && requested) redirect(`/exports?requested=${requested}`);
  return state;
}
