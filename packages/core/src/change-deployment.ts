import type { Deployment, Prisma } from "@perimeter/db";
import { appendAuditEvent } from "./append-audit-event.ts";
import { canonicalJson } from "./audit-hash.ts";
import type { OrgContext } from "./context.ts";
import { toDeploymentAuditView } from "./deployment-view.ts";
import { publishChange } from "./publish-change.ts";

export type ChangeDeploymentResult<Code extends string = never> =
  | { ok: true; deployment: Deployment; changed: boolean }
  | { ok: false; code: "NOT_FOUND" | Code };

/** The desired-state change a verb makes, or a refusal computed from the locked row. */
export type DeploymentChange<Code extends string> =
  | { ok: true; data: Prisma.DeploymentUncheckedUpdateInput }
  | { ok: false; code: Code };

/** Compares as stored: jsonb does not keep key order and Dates come back as Dates. */
function sameStored(a: unknown, b: unknown): boolean {
  const plain = (value: unknown) => canonicalJson(JSON.parse(JSON.stringify(value ?? null)));
  return plain(a) === plain(b);
}

function differs(current: Deployment, data: Prisma.DeploymentUncheckedUpdateInput): boolean {
  return Object.entries(data).some(([key, value]) => !sameStored(current[key as keyof Deployment], value));
}

/**
 * The one path every desired-state verb (update, scale, stop, start, delete) takes: lock the
 * deployment row of the context's organization (NOT_FOUND if absent or already deleted), let `plan`
 * compute the change from it, and, only if something differs, write it with `generation + 1` and audit
 * `action` with the deployment before and after. An identical request changes nothing and writes no
 * event (`changed: false`). A change is announced on `changeChannel` once committed, so a worker
 * reconciles at once instead of at its next pass.
 */
export async function changeDeployment<Code extends string = never>(
  ctx: OrgContext,
  deploymentId: string,
  action: string,
  plan: (current: Deployment, tx: Prisma.TransactionClient) => Promise<DeploymentChange<Code>> | DeploymentChange<Code>,
): Promise<ChangeDeploymentResult<Code>> {
  const result = await ctx.db.$transaction(async (tx): Promise<ChangeDeploymentResult<Code>> => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM deployments
      WHERE id = ${deploymentId} AND org_id = ${ctx.orgId} AND deleted_at IS NULL FOR UPDATE`;
    if (locked.length === 0) return { ok: false, code: "NOT_FOUND" };
    const current = await tx.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    const change = await plan(current, tx);
    if (!change.ok) return change;
    if (!differs(current, change.data)) return { ok: true, deployment: current, changed: false };
    const deployment = await tx.deployment.update({
      where: { id: deploymentId },
      data: { ...change.data, generation: { increment: 1 } },
    });
    await appendAuditEvent(tx, ctx, {
      action,
      targetType: "deployment",
      targetId: deploymentId,
      before: toDeploymentAuditView(current),
      after: toDeploymentAuditView(deployment),
    });
    return { ok: true, deployment, changed: true };
  });
  if (result.ok && result.changed) await publishChange(ctx, { entity: "deployment", id: deploymentId });
  return result;
}
