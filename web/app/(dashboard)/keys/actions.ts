"use server";

import { actAs } from "../../../lib/forms/act-as";
import { integer, localDateTime, text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { anyLimitFilled, limitsFromForm } from "../../../lib/forms/limits-form";
import { createKeyAs, revokeKeyAs, rotateKeyAs } from "../../../lib/operations/keys";

const secretHint = "Copy it now: Perimeter keeps only a hash and cannot show it again.";

/** The owner select: "self" (default), "service" (no owner), or a user id. */
function ownerFrom(form: FormData): string | null | undefined {
  const owner = text(form, "ownerUserId");
  if (!owner || owner === "self") return undefined;
  return owner === "service" ? null : owner;
}

export async function createKeyAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      createKeyAs(env, principal, {
        teamId: text(form, "teamId") ?? "",
        name: text(form, "name") ?? "",
        ownerUserId: ownerFrom(form),
        expiresAt: localDateTime(form, "expiresAt"),
        ...(anyLimitFilled(form) ? { limits: limitsFromForm(form) } : {}),
      }),
    ({ key, secret }) => ({
      message: `Key ${key.name} created.`,
      reveals: [{ label: "Your new API key", value: secret, hint: secretHint }],
    }),
    ["/keys", "/connect"],
  );
}

export async function rotateKeyAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      rotateKeyAs(env, principal, {
        keyId: text(form, "keyId") ?? "",
        gracePeriodSec: integer(form, "gracePeriodSec") ?? 0,
      }),
    ({ key, secret, previous }) => ({
      message: previous.revokedAt
        ? "Rotated; the old key stopped working."
        : `Rotated; the old key works until ${previous.expiresAt?.toUTCString()}.`,
      reveals: [{ label: `New secret for ${key.name}`, value: secret, hint: secretHint }],
    }),
    ["/keys", "/connect"],
  );
}

export async function revokeKeyAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) => revokeKeyAs(env, principal, { keyId: text(form, "keyId") ?? "", reason: text(form, "reason") }),
    (key) => ({ message: `Key ${key.name} revoked.` }),
    ["/keys", "/connect"],
  );
}
