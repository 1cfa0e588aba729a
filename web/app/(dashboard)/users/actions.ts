"use server";

import { actAs } from "../../../lib/forms/act-as";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { inviteUser, updateUserAs } from "../../../lib/operations/users";

function orgRole(form: FormData): "admin" | "auditor" | null | undefined {
  const role = text(form, "orgRole");
  if (role === undefined) return undefined;
  return role === "none" ? null : (role as "admin" | "auditor");
}

export async function inviteUserAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      inviteUser(
        env,
        principal,
        {
          email: text(form, "email") ?? "",
          name: text(form, "name"),
          orgRole: orgRole(form),
          teamId: text(form, "teamId"),
          teamRole: text(form, "teamRole"),
        },
        env.origin,
      ),
    (invited) => ({
      message: `Invitation for ${invited.email} ready; it expires ${invited.expiresAt.toUTCString()}.`,
      reveals: [{ label: "Invitation link", value: invited.url, hint: "Shown only now. It works once." }],
    }),
    ["/users"],
  );
}

export async function updateUserAction(_state: FormState, form: FormData): Promise<FormState> {
  const status = text(form, "status");
  return actAs(
    (env, principal) =>
      updateUserAs(env, principal, {
        userId: text(form, "userId") ?? "",
        orgRole: orgRole(form),
        status: status === "active" || status === "disabled" ? status : undefined,
      }),
    (user) => ({
      message:
        user.status === "disabled"
          ? `Disabled; signed out everywhere, ${user.revokedKeyIds.length} key(s) revoked.`
          : "Saved.",
    }),
    ["/users", "/keys"],
  );
}
