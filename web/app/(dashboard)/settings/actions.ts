"use server";

import { actAs } from "../../../lib/forms/act-as";
import { integer, localDateTime, text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { createAdminTokenAs } from "../../../lib/operations/keys";
import { updateOrganizationAs } from "../../../lib/operations/organization";

export async function updateOrganizationAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      updateOrganizationAs(env, principal, {
        name: text(form, "name"),
        timeZone: text(form, "timeZone"),
        weekStartsOn: integer(form, "weekStartsOn"),
        usageRetentionDays: integer(form, "usageRetentionDays"),
        rollupRetentionDays: integer(form, "rollupRetentionDays"),
      }),
    () => ({ message: "Settings saved." }),
    ["/settings"],
  );
}

export async function createAdminTokenAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      createAdminTokenAs(env, principal, {
        name: text(form, "name") ?? "",
        expiresAt: localDateTime(form, "expiresAt"),
      }),
    ({ key, secret }) => ({
      message: `Token ${key.name} created.`,
      reveals: [
        {
          label: "Admin API token",
          value: secret,
          hint: "Shown only now. Send it as Authorization: Bearer … to /api/v1.",
        },
      ],
    }),
    ["/settings"],
  );
}
