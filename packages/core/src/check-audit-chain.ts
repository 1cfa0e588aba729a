import type { AuditChainCheck } from "@perimeter/db";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { type AuditChainBreakReason, verifyAuditChain } from "./verify-audit-chain.ts";

/** Every way a check can find the chain broken: a row-level break, or a head that no longer matches. */
export type AuditChainCheckReason = AuditChainBreakReason | "TAIL_MISSING" | "HISTORY_REWRITTEN";

export type CheckAuditChainResult = {
  check: AuditChainCheck;
  /** True when this check found a break the previous one had not, and raised `audit.chain_broken`. */
  alerted: boolean;
};

/**
 * Verifies the organization's audit chain and records the result in `audit_chain_checks`. Beyond the
 * row-level checks of `verifyAuditChain`, compares with the head the last intact check recorded: fewer
 * events now is TAIL_MISSING (newest events removed), a different hash at that head's `seq` is
 * HISTORY_REWRITTEN (the chain was recomputed). The first check to find it broken after an intact one
 * appends an `audit.chain_broken` event to the chain itself; later checks only record the result.
 */
export async function checkAuditChain(
  ctx: Pick<CoreContext, "db" | "orgId" | "actor" | "request" | "now">,
): Promise<CheckAuditChainResult> {
  const verified = await verifyAuditChain(ctx.db, ctx.orgId);
  const [lastIntact, previous] = await Promise.all([
    ctx.db.auditChainCheck.findFirst({ where: { orgId: ctx.orgId, ok: true }, orderBy: { id: "desc" } }),
    ctx.db.auditChainCheck.findFirst({ where: { orgId: ctx.orgId }, orderBy: { id: "desc" } }),
  ]);

  let broken: { reason: AuditChainCheckReason; seq: number; eventId: string | null } | null = null;
  if (!verified.ok) {
    broken = { reason: verified.brokenAt.reason, seq: verified.brokenAt.seq, eventId: verified.brokenAt.id };
  } else if (lastIntact?.headSeq != null) {
    if (verified.count < lastIntact.headSeq) {
      broken = { reason: "TAIL_MISSING", seq: Number(lastIntact.headSeq), eventId: null };
    } else {
      const atHead = await ctx.db.auditEvent.findFirst({
        where: { orgId: ctx.orgId, seq: lastIntact.headSeq },
        select: { id: true, hash: true },
      });
      if (atHead?.hash !== lastIntact.headHash) {
        broken = { reason: "HISTORY_REWRITTEN", seq: Number(lastIntact.headSeq), eventId: atHead?.id ?? null };
      }
    }
  }

  // Alert on the transition only: the alert event itself lengthens the chain, and a chain that stays
  // broken must not raise one on every run.
  const alreadyBroken = previous?.ok === false;

  return ctx.db.$transaction(async (tx) => {
    const check = await tx.auditChainCheck.create({
      data: {
        orgId: ctx.orgId,
        ok: broken === null,
        eventCount: BigInt(verified.count),
        headSeq: verified.ok && verified.count > 0 ? BigInt(verified.count) : null,
        headHash: verified.ok ? verified.headHash : null,
        reason: broken?.reason ?? null,
        brokenSeq: broken ? BigInt(broken.seq) : null,
        brokenEventId: broken?.eventId ?? null,
      },
    });
    if (broken === null || alreadyBroken) return { check, alerted: false };
    await appendAuditEvent(tx, ctx, {
      action: "audit.chain_broken",
      targetType: "audit_chain",
      targetId: ctx.orgId,
      after: { reason: broken.reason, seq: broken.seq, eventId: broken.eventId, intactEvents: verified.count },
    });
    return { check, alerted: true };
  });
}
