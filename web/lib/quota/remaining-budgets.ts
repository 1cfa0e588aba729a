import { loadKeyPrincipal } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Redis } from "ioredis";
import { type BudgetCounter, budgetCounters } from "./budget-counters";

/** How much of one calendar budget is left for a key's requests right now. */
export interface RemainingBudget extends Omit<BudgetCounter, "key" | "hashField"> {
  /** Tokens counted in this period, including what requests in flight have reserved. */
  used: number;
  remaining: number;
  /** When the period ends and the budget starts again, in the organization's calendar. */
  resetsAt: Date;
}

/**
 * Every calendar budget (key, member, team; day, week, month) that applies to the key with public id
 * `publicId`, read from the gateway's own Redis counters: what the next request is admitted against,
 * in the organization's time zone, including reservations of requests still running, which rollups
 * (UTC hours, tens of seconds behind) cannot give. Least left first; `[]` when no budget applies.
 */
export async function readRemainingBudgets(
  deps: { db: Db; redis: Pick<Redis, "hget"> },
  publicId: string,
  nowMs: number,
): Promise<RemainingBudget[]> {
  const principal = await loadKeyPrincipal(deps.db, publicId);
  if (!principal) return [];
  const counters = budgetCounters(principal, nowMs);
  if (counters.length === 0) return [];
  const values = await Promise.all(counters.map((counter) => deps.redis.hget(counter.key, counter.hashField)));
  return counters
    .map(({ key: _key, hashField: _hashField, ...counter }, index) => {
      // A counter appears with the period's first request; none yet means nothing used.
      const used = Math.max(0, Number(values[index] ?? 0));
      return {
        ...counter,
        used,
        remaining: Math.max(0, counter.limit - used),
        resetsAt: new Date(counter.period.endMs),
      };
    })
    .sort((a, b) => a.remaining - b.remaining || a.resetsAt.getTime() - b.resetsAt.getTime());
}
