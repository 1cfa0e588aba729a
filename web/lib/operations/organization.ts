import { updateOrganization, updateOrganizationInputSchema } from "@perimeter/core";
import type { Organization } from "@perimeter/db";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { coreContext, type OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, type OperationResult, ok } from "./operation-result";

export type OrganizationSettings = Pick<
  Organization,
  "id" | "name" | "slug" | "timeZone" | "weekStartsOn" | "usageRetentionDays" | "rollupRetentionDays" | "storePrompts"
>;

function toSettings(org: Organization): OrganizationSettings {
  const { id, name, slug, timeZone, weekStartsOn, usageRetentionDays, rollupRetentionDays, storePrompts } = org;
  return { id, name, slug, timeZone, weekStartsOn, usageRetentionDays, rollupRetentionDays, storePrompts };
}

/** The organization's settings (admins and auditors). */
export async function getOrganization(
  env: OperationEnv,
  principal: Principal,
): Promise<OperationResult<OrganizationSettings>> {
  if (!can(principal, "org.read")) return forbidden();
  const org = await env.db.organization.findUniqueOrThrow({ where: { id: principal.orgId } });
  return ok(toSettings(org));
}

/** Changes name, budget calendar or retention (admins only). */
export function updateOrganizationAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<OrganizationSettings>> {
  return guard(async () => {
    if (!can(principal, "org.update")) return forbidden("only admins change organization settings");
    const parsed = updateOrganizationInputSchema.parse(input);
    const result = await updateOrganization(coreContext(env, principal), parsed);
    if (!result.ok)
      return invalid({ rollupRetentionDays: "rollups must be kept at least as long as raw usage events" });
    return ok(toSettings(result.org));
  });
}
