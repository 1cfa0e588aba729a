"use server";

import { acceptInvitation } from "@perimeter/core";
import { ZodError } from "zod";
import { requestEnv } from "../../../lib/auth/session";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { fieldErrors } from "../../../lib/operations/operation-result";

const refusals = {
  INVALID_TOKEN: "This invitation link is not valid.",
  EXPIRED: "This invitation has expired. Ask for a new one.",
  ALREADY_USED: "This invitation was already used. Sign in instead.",
  SUPERSEDED: "A newer invitation replaced this one. Use the latest link you received.",
  USER_DISABLED: "This account is disabled.",
} as const;

/** Sets the invitee's password from the accept page; the link works once. */
export async function acceptInvitationAction(token: string, _state: FormState, form: FormData): Promise<FormState> {
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirm") ?? "")) {
    return { ok: false, message: "The passwords differ.", fields: { confirm: "does not match the password" } };
  }
  const env = await requestEnv();
  try {
    const result = await acceptInvitation(
      { db: env.db, request: env.request },
      { token, password, name: text(form, "name") },
    );
    if (!result.ok) return { ok: false, message: refusals[result.code] };
    return {
      ok: true,
      message: `Welcome, ${result.user.name}. Your account is ready: sign in with ${result.user.email}.`,
    };
  } catch (error) {
    if (error instanceof ZodError) {
      const fields = fieldErrors(error);
      return { ok: false, message: "Check the highlighted fields.", fields };
    }
    throw error;
  }
}
