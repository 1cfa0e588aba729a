import type { JsonValue } from "./audit-hash.ts";
import { computeAuditHash, genesisPrevHash } from "./audit-hash.ts";
import type { DbClient } from "./context.ts";

export type AuditChainBreakReason = "HASH_MISMATCH" | "PREV_HASH_MISMATCH" | "SEQ_GAP";

export type VerifyAuditChainResult =
  | { ok: true; count: number; headHash: string | null }
  | { ok: false; count: number; brokenAt: { id: string; seq: number; reason: AuditChainBreakReason } };

/**
 * Re-computes an organization's audit chain in `seq` order, a page at a time so memory stays flat on
 * millions of rows. `ok: true` gives the number of events and the last hash (worth recording elsewhere:
 * the chain alone cannot reveal that its newest events were removed). Otherwise `brokenAt` names the
 * first event that fails, and `count` how many intact events precede it: HASH_MISMATCH when the row's
 * content was changed, SEQ_GAP when rows before it are missing, PREV_HASH_MISMATCH when it does not
 * link to the event before it.
 */
export async function verifyAuditChain(
  db: DbClient,
  orgId: string,
  options: { pageSize?: number } = {},
): Promise<VerifyAuditChainResult> {
  const pageSize = options.pageSize ?? 1000;
  let expectedSeq = 1n;
  let prevHash = genesisPrevHash;
  let count = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({
      where: { orgId, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    for (const row of rows) {
      const recomputed = computeAuditHash({
        ...row,
        before: row.before as JsonValue,
        after: row.after as JsonValue,
      });
      const reason =
        recomputed !== row.hash
          ? "HASH_MISMATCH"
          : row.seq !== expectedSeq
            ? "SEQ_GAP"
            : row.prevHash !== prevHash
              ? "PREV_HASH_MISMATCH"
              : null;
      if (reason) return { ok: false, count, brokenAt: { id: row.id, seq: Number(row.seq), reason } };
      count += 1;
      expectedSeq += 1n;
      prevHash = row.hash;
    }
    if (rows.length < pageSize) return { ok: true, count, headHash: count === 0 ? null : prevHash };
  }
}
