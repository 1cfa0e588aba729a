import type { LimitTarget } from "@perimeter/core";
import type { Metadata } from "next";
import { ActionForm } from "../../../components/action-form";
import { EffectiveLimitsTable } from "../../../components/effective-limits-table";
import { LimitsFields } from "../../../components/limits-fields";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { levelLabels } from "../../../lib/limit-labels";
import { listKeys } from "../../../lib/operations/keys";
import { getLimits } from "../../../lib/operations/limits";
import { listTeams } from "../../../lib/operations/teams";
import { setLimitsAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Limits · Perimeter" };

function chosenTarget(params: Record<string, string | string[] | undefined>): LimitTarget | null {
  const one = (name: string) => (typeof params[name] === "string" ? (params[name] as string) : undefined);
  const key = one("key");
  const member = one("member");
  const team = one("team");
  if (key) return { type: "key", apiKeyId: key };
  if (member) return { type: "member", memberId: member };
  if (team) return { type: "team", teamId: team };
  return null;
}

export default async function LimitsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const target = chosenTarget(params);
  const [org, chosen, teams, keys] = await Promise.all([
    getLimits(env, principal, { type: "org" }),
    target ? getLimits(env, principal, target) : Promise.resolve(null),
    listTeams(env, principal),
    listKeys(env, principal),
  ]);
  const orgPolicy = org.ok ? (org.value.levels[0]?.policy ?? null) : null;
  const targetPolicy = chosen?.ok ? (chosen.value.levels.at(-1)?.policy ?? null) : null;
  const targetLevel = chosen?.ok ? chosen.value.levels.at(-1)?.level : undefined;
  const targetId =
    target?.type === "key"
      ? target.apiKeyId
      : target?.type === "member"
        ? target.memberId
        : target?.type === "team"
          ? target.teamId
          : "";
  return (
    <>
      <PageHeader
        title="Limits"
        lede="Every level applies at once: a request must fit the organization's caps, its team's limits, its member's and its key's. The tightest one binds."
      />

      <section className="card" aria-labelledby="explain">
        <h2 id="explain">Which limit binds?</h2>
        {[
          {
            name: "team",
            label: "Team",
            chosen: target?.type === "team" ? target.teamId : "",
            options: (teams.ok ? teams.value : []).map((t) => ({ value: t.id, label: t.name })),
          },
          {
            name: "key",
            label: "Key",
            chosen: target?.type === "key" ? target.apiKeyId : "",
            options: (keys.ok ? keys.value : [])
              .filter((k) => k.scope === "inference")
              .map((k) => ({ value: k.id, label: `${k.name} · …${k.last4}${k.teamName ? ` (${k.teamName})` : ""}` })),
          },
        ].map((chooser) => (
          <form key={chooser.name} className="inline-form wrap" method="get" aria-label={`Choose a ${chooser.name}`}>
            <label htmlFor={`pick-${chooser.name}`}>{chooser.label}</label>
            <select id={`pick-${chooser.name}`} name={chooser.name} defaultValue={chooser.chosen}>
              <option value="">—</option>
              {chooser.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <button type="submit" className="button small">
              Show
            </button>
          </form>
        ))}
        {chosen && !chosen.ok ? (
          <p className="notice error" role="alert">
            Nothing to show: {chosen.message}.
          </p>
        ) : null}
        {chosen?.ok ? (
          <>
            <EffectiveLimitsTable levels={chosen.value.levels.map((l) => l.level)} effective={chosen.value.effective} />
            {chosen.value.canEdit && targetLevel ? (
              <details className="disclosure" open={target?.type !== "team"}>
                <summary>Edit this {levelLabels[targetLevel].toLowerCase()}'s limits</summary>
                <ActionForm action={setLimitsAction} submitLabel="Save limits" testId="target-limits-form">
                  <input type="hidden" name="targetType" value={target?.type} />
                  <input type="hidden" name="targetId" value={targetId} />
                  <LimitsFields policy={targetPolicy} />
                </ActionForm>
              </details>
            ) : null}
          </>
        ) : target ? null : (
          <p className="muted">Pick a team or a key, or open Limits from a member or key row.</p>
        )}
      </section>

      <section className="card" aria-labelledby="org-caps">
        <h2 id="org-caps">Organization caps</h2>
        <p className="muted">No team, member or key can go above these. Team admins set limits within them.</p>
        {org.ok ? <EffectiveLimitsTable levels={["org"]} effective={org.value.effective} /> : null}
        {org.ok && org.value.canEdit ? (
          <details className="disclosure">
            <summary>Edit organization caps</summary>
            <ActionForm action={setLimitsAction} submitLabel="Save caps" testId="org-limits-form">
              <input type="hidden" name="targetType" value="org" />
              <LimitsFields policy={orgPolicy} />
            </ActionForm>
          </details>
        ) : null}
      </section>
    </>
  );
}
