import type { Prisma } from "@perimeter/db";
import { toApiKeyView } from "./api-key-view.ts";
import { type AuditContext, appendAuditEvent } from "./append-audit-event.ts";
import { currentTime } from "./context.ts";

/**
 * Revokes, inside the caller's transaction, every live key matching `where` in `ctx.orgId`, auditing
 * `api_key.revoke` for each with `reason`. Used when the person behind keys loses access (removed from
 * a team, disabled), so no key outlives its owner's rights. Returns the ids revoked.
 */
export async function revokeLiveKeys(
  tx: Prisma.TransactionClient,
  ctx: AuditContext,
  where: Prisma.ApiKeyWhereInput,
  reason: string,
): Promise<string[]> {
  const now = currentTime(ctx);
  const keys = await tx.apiKey.findMany({ where: { ...where, orgId: ctx.orgId, revokedAt: null } });
  for (const key of keys) {
    const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: now, revokedReason: reason } });
    await appendAuditEvent(tx, ctx, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: key.id,
      teamId: key.teamId,
      before: toApiKeyView(key),
      after: toApiKeyView(revoked),
    });
  }
  return keys.map((key) => key.id);
}
