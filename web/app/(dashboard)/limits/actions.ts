"use server";

import { actAs } from "../../../lib/forms/act-as";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { limitsFromForm } from "../../../lib/forms/limits-form";
import { setLimitsAs } from "../../../lib/operations/limits";

/** Saves the limits of the organization, a team, a member or a key (the form says which). */
export async function setLimitsAction(_state: FormState, form: FormData): Promise<FormState> {
  const type = text(form, "targetType");
  const id = text(form, "targetId") ?? "";
  const target =
    type === "team"
      ? { type, teamId: id }
      : type === "member"
        ? { type, memberId: id }
        : type === "key"
          ? { type, apiKeyId: id }
          : { type: "org" };
  return actAs(
    (env, principal) => setLimitsAs(env, principal, { target, limits: limitsFromForm(form) }),
    () => ({ message: "Limits saved." }),
    ["/limits", "/teams", "/connect"],
  );
}
