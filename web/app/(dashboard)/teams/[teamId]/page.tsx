import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../../components/action-form";
import { ConfirmAction } from "../../../../components/confirm-action";
import { DataTable, InlineSelect, NameCell } from "../../../../components/data-table";
import { EffectiveLimitsTable } from "../../../../components/effective-limits-table";
import { LimitsFields } from "../../../../components/limits-fields";
import { PageHeader } from "../../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../../lib/auth/session";
import { formatRelative } from "../../../../lib/format";
import { getLimits } from "../../../../lib/operations/limits";
import { getTeam } from "../../../../lib/operations/teams";
import { getVisionPolicies } from "../../../../lib/operations/vision-policies";
import {
  addMemberAction,
  changeRoleAction,
  removeMemberAction,
  setTeamLimitsAction,
  setVisionPolicyAction,
} from "../actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Team · Perimeter" };

const roleOptions = [
  { value: "developer", label: "Developer" },
  { value: "team_admin", label: "Team admin" },
];
const statusBadge = { active: "badge ok", invited: "badge warn", disabled: "badge danger" } as const;
const visionModes = [
  { value: "placeholder", label: "Placeholder: a note says an image was left out" },
  { value: "reject", label: "Reject: the request fails with a 400" },
  { value: "describe", label: "Describe: a vision model describes each image" },
  { value: "route", label: "Route: the request goes to the vision model" },
];

export default async function TeamPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { teamId } = await params;
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const result = await getTeam(env, principal, { teamId });
  if (!result.ok) notFound();
  const { team, members, canManageMembers, canSetLimits } = result.value;
  const limits = await getLimits(env, principal, { type: "team", teamId });
  const teamPolicy = limits.ok ? (limits.value.levels.find((l) => l.level === "team")?.policy ?? null) : null;
  const vision = await getVisionPolicies(env, principal, teamId);
  return (
    <>
      <PageHeader title={team.name} lede={team.description ?? "Members, limits and keys of this team."}>
        <Link className="button" href={`/keys?team=${team.id}`}>
          Team keys
        </Link>
      </PageHeader>

      <section className="card" aria-labelledby="members">
        <h2 id="members">Members</h2>
        <DataTable testId="members-table" columns={["Person", "Role", "Status", "Last sign-in", ""]}>
          {members.map((member) => (
            <tr key={member.memberId}>
              <NameCell name={member.name} detail={member.email} />
              <td>
                {canManageMembers ? (
                  <ConfirmAction action={changeRoleAction} hidden={{ memberId: member.memberId, teamId }} label="Save">
                    <InlineSelect
                      id={`role-${member.memberId}`}
                      name="role"
                      label={`Role of ${member.email}`}
                      defaultValue={member.role}
                      options={roleOptions}
                    />
                  </ConfirmAction>
                ) : (
                  roleOptions.find((o) => o.value === member.role)?.label
                )}
              </td>
              <td>
                <span className={statusBadge[member.status]}>{member.status}</span>
              </td>
              <td>{formatRelative(member.lastLoginAt)}</td>
              <td className="actions">
                <Link className="button small ghost" href={`/limits?member=${member.memberId}`}>
                  Limits
                </Link>
                {canManageMembers ? (
                  <ConfirmAction
                    action={removeMemberAction}
                    hidden={{ memberId: member.memberId, teamId }}
                    label="Remove"
                    confirmLabel={`Remove ${member.email} and revoke their keys`}
                    danger
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
        {canManageMembers ? (
          <>
            <h3>Add someone</h3>
            <p className="muted">People who have no account yet get an invitation link to set their password.</p>
            <ActionForm action={addMemberAction} submitLabel="Add to team" resetOnSuccess testId="add-member-form">
              <input type="hidden" name="teamId" value={teamId} />
              <div className="grid-2">
                <Field name="email" label="Email" type="email" required autoComplete="off" />
                <SelectField name="role" label="Role" options={roleOptions} defaultValue="developer" />
              </div>
            </ActionForm>
          </>
        ) : null}
      </section>

      <section className="card" aria-labelledby="team-limits">
        <h2 id="team-limits">Limits</h2>
        <p className="muted">
          The team's limits apply to all its keys together, on top of the organization's caps and each member's and
          key's own limits.
        </p>
        {limits.ok ? (
          <EffectiveLimitsTable levels={limits.value.levels.map((l) => l.level)} effective={limits.value.effective} />
        ) : null}
        {canSetLimits ? (
          <details className="disclosure">
            <summary>Edit team limits</summary>
            <ActionForm action={setTeamLimitsAction} submitLabel="Save team limits" testId="team-limits-form">
              <input type="hidden" name="teamId" value={teamId} />
              <LimitsFields policy={teamPolicy} />
            </ActionForm>
          </details>
        ) : null}
      </section>

      {vision.ok && vision.value.textModels.length > 0 ? (
        <section className="card" aria-labelledby="team-vision">
          <h2 id="team-vision">Images</h2>
          <p className="muted">
            What happens to screenshots, mockups and PDFs this team sends to a model that cannot read them.
          </p>
          <DataTable testId="vision-policies-table" columns={["Model", "Images", "Vision model", ""]}>
            {vision.value.textModels.map((model) => {
              const policy = vision.value.policies.find((p) => p.modelId === model.id);
              const mode = policy?.mode ?? "placeholder";
              const usesVision = mode === "describe" || mode === "route";
              return (
                <tr key={model.id}>
                  <td>{model.publicName}</td>
                  <td>
                    {vision.value.canEdit ? (
                      <ConfirmAction action={setVisionPolicyAction} hidden={{ teamId, modelId: model.id }} label="Save">
                        <InlineSelect
                          id={`vision-mode-${model.id}`}
                          name="mode"
                          label={`What happens to images sent to ${model.publicName}`}
                          defaultValue={mode}
                          options={visionModes}
                        />
                        {vision.value.visionModels.length > 1 ? (
                          <InlineSelect
                            id={`vision-model-${model.id}`}
                            name="visionModelId"
                            label={`Vision model for ${model.publicName}`}
                            defaultValue={policy?.visionModelId ?? vision.value.visionModels[0]?.id ?? ""}
                            options={vision.value.visionModels.map((m) => ({ value: m.id, label: m.publicName }))}
                          />
                        ) : null}
                      </ConfirmAction>
                    ) : (
                      visionModes.find((option) => option.value === mode)?.label
                    )}
                  </td>
                  <td>
                    {usesVision
                      ? (policy?.visionModel ??
                        `${vision.value.visionModels[0]?.publicName ?? "none"} (the organization's)`)
                      : "—"}
                  </td>
                  <td />
                </tr>
              );
            })}
          </DataTable>
          {vision.value.visionModels.length === 0 ? (
            <p className="muted">
              No model that reads images is enabled: add one on Models (with “Images”) to describe or route images.
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
