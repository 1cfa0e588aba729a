import { checkAuditChain } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Logger } from "@perimeter/runtime";

export interface CheckAuditChainsResult {
  organizations: number;
  broken: string[];
  alerted: string[];
}

/**
 * Verifies every organization's audit chain through core's `checkAuditChain`, which records each
 * result and appends an `audit.chain_broken` event the first time a chain is found broken. A broken
 * chain is also logged at error level, every run, for whoever watches the logs.
 */
export async function checkAuditChains(
  deps: { db: Db; log: Logger },
  closing?: AbortSignal,
): Promise<CheckAuditChainsResult> {
  const result: CheckAuditChainsResult = { organizations: 0, broken: [], alerted: [] };
  const orgs = await deps.db.organization.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  for (const org of orgs) {
    if (closing?.aborted) break;
    const { check, alerted } = await checkAuditChain({
      db: deps.db,
      orgId: org.id,
      actor: { type: "system", label: "audit-check" },
    });
    result.organizations += 1;
    if (!check.ok) {
      result.broken.push(org.id);
      deps.log.error("audit chain broken", {
        orgId: org.id,
        reason: check.reason,
        seq: Number(check.brokenSeq),
        eventId: check.brokenEventId,
      });
    }
    if (alerted) result.alerted.push(org.id);
  }
  return result;
}
