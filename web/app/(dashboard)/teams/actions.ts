"use server";

import { actAs } from "../../../lib/forms/act-as";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { limitsFromForm } from "../../../lib/forms/limits-form";
import { setLimitsAs } from "../../../lib/operations/limits";
import { addTeamMember, changeTeamMemberRole, removeTeamMember } from "../../../lib/operations/members";
import { createTeamAs } from "../../../lib/operations/teams";
import { setVisionPolicyAs } from "../../../lib/operations/vision-policies";

export async function createTeamAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      createTeamAs(env, principal, { name: text(form, "name") ?? "", description: text(form, "description") }),
    (team) => ({ message: `Team ${team.name} created.` }),
    ["/teams"],
  );
}

export async function addMemberAction(_state: FormState, form: FormData): Promise<FormState> {
  const teamId = text(form, "teamId") ?? "";
  return actAs(
    (env, principal) =>
      addTeamMember(env, principal, { teamId, email: text(form, "email") ?? "", role: text(form, "role") }, env.origin),
    (added) =>
      added.invitation
        ? {
            message: `${added.email} was invited. Send them this link; it works once and expires ${added.invitation.expiresAt.toUTCString()}.`,
            reveals: [
              {
                label: "Invitation link",
                value: added.invitation.url,
                hint: "Shown only now. Anyone with the link can create the account.",
              },
            ],
          }
        : { message: `${added.email} joined the team.` },
    [`/teams/${teamId}`, "/teams"],
  );
}

export async function changeRoleAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      changeTeamMemberRole(env, principal, { memberId: text(form, "memberId") ?? "", role: text(form, "role") }),
    () => ({ message: "Role changed." }),
    [`/teams/${text(form, "teamId") ?? ""}`],
  );
}

export async function removeMemberAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) => removeTeamMember(env, principal, { memberId: text(form, "memberId") ?? "" }),
    (removed) => ({ message: `Removed; ${removed.revokedKeyIds.length} key(s) revoked.` }),
    [`/teams/${text(form, "teamId") ?? ""}`, "/keys"],
  );
}

export async function setTeamLimitsAction(_state: FormState, form: FormData): Promise<FormState> {
  const teamId = text(form, "teamId") ?? "";
  return actAs(
    (env, principal) => setLimitsAs(env, principal, { target: { type: "team", teamId }, limits: limitsFromForm(form) }),
    () => ({ message: "Team limits saved." }),
    [`/teams/${teamId}`, "/limits"],
  );
}

export async function setVisionPolicyAction(_state: FormState, form: FormData): Promise<FormState> {
  const teamId = text(form, "teamId") ?? "";
  return actAs(
    (env, principal) =>
      setVisionPolicyAs(env, principal, {
        teamId,
        modelId: text(form, "modelId") ?? "",
        mode: text(form, "mode") ?? "",
        visionModelId: text(form, "visionModelId") ?? null,
      }),
    ({ policy }) => ({ message: `Images sent to ${policy.model}: ${policy.mode}.` }),
    [`/teams/${teamId}`],
  );
}
