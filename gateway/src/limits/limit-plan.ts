import { type BudgetPeriodKind, budgetCounter, budgetPeriod, type LimitPolicyView } from "@perimeter/core";
import type { TeamPrincipal } from "../pipeline/authenticate.ts";

/** How a limit is kept in Redis: a sliding one-minute window, a set of leases, a calendar counter. */
export type LimitKind = "window" | "concurrency" | "budget";

/** What a limit counts: requests, uncached input tokens, output tokens, input + output, in-flight requests. */
export type LimitMeasure = "requests" | "input" | "output" | "total" | "concurrent";

/** One limit a request is checked against, with what the request reserves from it. */
export interface PlannedLimit {
  /** `<scope>.<limit>`, e.g. `team.requests_per_minute`: what 429s and usage records name. */
  name: string;
  kind: LimitKind;
  measure: LimitMeasure;
  /**
   * The Redis key its state lives in, shared by the limits of one scope and kind (and budget period): a
   * scope's per-minute windows are one log, its concurrency one set of leases, each budget period one counter.
   */
  key: string;
  /** Its place in that state: windows keep requests, input, output; budgets input, output, total. */
  slot: Slot;
  limit: number;
  /** What admission takes now; settlement replaces it by the real amount. */
  reserve: number;
  /** Budgets: the period's `[start, end)`; its end is when the budget resets. */
  period?: { kind: BudgetPeriodKind; startMs: number; endMs: number };
}

export interface RequestEstimate {
  /** Upper estimate of the prompt's tokens. */
  inputTokens: number;
  /** The request's clamped `max_tokens`: the most it can generate. */
  outputTokens: number;
}

export type Slot = 0 | 1 | 2;

type Scope = "key" | "member" | "team";
const rates = [
  ["requestsPerMinute", "requests_per_minute", "requests", 0],
  ["inputTokensPerMinute", "input_tokens_per_minute", "input", 1],
  ["outputTokensPerMinute", "output_tokens_per_minute", "output", 2],
] as const;
const budgets = [
  ["inputTokensPerDay", "input_tokens_per_day", "input", "day", 0],
  ["outputTokensPerDay", "output_tokens_per_day", "output", "day", 1],
  ["totalTokensPerDay", "total_tokens_per_day", "total", "day", 2],
  ["inputTokensPerWeek", "input_tokens_per_week", "input", "week", 0],
  ["outputTokensPerWeek", "output_tokens_per_week", "output", "week", 1],
  ["totalTokensPerWeek", "total_tokens_per_week", "total", "week", 2],
  ["inputTokensPerMonth", "input_tokens_per_month", "input", "month", 0],
  ["outputTokensPerMonth", "output_tokens_per_month", "output", "month", 1],
  ["totalTokensPerMonth", "total_tokens_per_month", "total", "month", 2],
] as const;

function amountOf(measure: LimitMeasure, estimate: RequestEstimate): number {
  if (measure === "input") return estimate.inputTokens;
  if (measure === "output") return estimate.outputTokens;
  if (measure === "total") return estimate.inputTokens + estimate.outputTokens;
  return 1;
}

/**
 * Every limit that applies to a request of `principal`, from its key's, membership's and team's policies,
 * with Redis keys under one hash tag per team, so the one admission script is Redis Cluster-safe. Per-minute
 * limits reserve at most their whole allowance, so a request larger than a minute's allowance still passes
 * when the window is empty (and fills it for a minute); budgets reserve the whole estimate, so they are
 * exceeded only by what requests use beyond their reservation. Pure: the limits of a principal are laid
 * out once and reused while its budget periods last (`PlanLayout`); each plan is a fresh copy.
 */
export function planLimits(
  principal: TeamPrincipal,
  estimate: RequestEstimate,
  nowMs: number,
  namespace = "perimeter",
): PlannedLimit[] {
  const layout = planLayout(principal, nowMs, namespace);
  const plan: PlannedLimit[] = [];
  for (const limit of layout.limits) {
    const amount = amountOf(limit.measure, estimate);
    plan.push({ ...limit, reserve: limit.kind === "window" ? Math.min(amount, limit.limit) : amount });
  }
  planLayouts.set(plan, layout);
  return plan;
}

/**
 * A principal's limits without reservations, valid while every budget period in it lasts. Shared by
 * every plan made from it, so whatever is derived from a layout (the limiter's store layout) is derived
 * once per principal, not once per request.
 */
export interface PlanLayout {
  readonly limits: readonly PlannedLimit[];
  readonly namespace: string;
  /** The instants between which its budget periods are the current ones: `[fromMs, untilMs)`. */
  readonly fromMs: number;
  readonly untilMs: number;
}

/** The last layout of each principal (a reloaded principal is a new object, with none). */
const layouts = new WeakMap<TeamPrincipal, PlanLayout>();
/** The layout each plan was copied from. */
const planLayouts = new WeakMap<readonly PlannedLimit[], PlanLayout>();

/** The layout `plan` was made from by `planLimits`; undefined for a plan made otherwise. */
export function layoutOf(plan: readonly PlannedLimit[]): PlanLayout | undefined {
  return planLayouts.get(plan);
}

function planLayout(principal: TeamPrincipal, nowMs: number, namespace: string): PlanLayout {
  const known = layouts.get(principal);
  if (known && known.namespace === namespace && nowMs >= known.fromMs && nowMs < known.untilMs) return known;
  const limits = layLimits(principal, nowMs, namespace);
  let fromMs = Number.NEGATIVE_INFINITY;
  let untilMs = Number.POSITIVE_INFINITY;
  for (const limit of limits) {
    if (!limit.period) continue;
    fromMs = Math.max(fromMs, limit.period.startMs);
    untilMs = Math.min(untilMs, limit.period.endMs);
  }
  const layout: PlanLayout = { limits, namespace, fromMs, untilMs };
  layouts.set(principal, layout);
  return layout;
}

function layLimits(principal: TeamPrincipal, nowMs: number, namespace: string): PlannedLimit[] {
  const base = `${namespace}:{${principal.teamId}}`;
  const scopes: [Scope, string | null, LimitPolicyView | null][] = [
    ["key", principal.keyId, principal.policies.key],
    ["member", principal.memberId, principal.policies.member],
    ["team", principal.teamId, principal.policies.team],
  ];
  const plan: PlannedLimit[] = [];
  for (const [scope, id, policy] of scopes) {
    if (!policy || !id) continue;
    for (const [field, name, measure, slot] of rates) {
      const limit = policy[field];
      if (limit === null) continue;
      plan.push({
        name: `${scope}.${name}`,
        kind: "window",
        measure,
        key: `${base}:window:${scope}:${id}`,
        slot,
        limit,
        reserve: 0,
      });
    }
    if (policy.maxConcurrentRequests !== null) {
      plan.push({
        name: `${scope}.max_concurrent_requests`,
        kind: "concurrency",
        measure: "concurrent",
        key: `${base}:leases:${scope}:${id}`,
        slot: 0,
        limit: policy.maxConcurrentRequests,
        reserve: 0,
      });
    }
    for (const [field, name, measure, kind, slot] of budgets) {
      const limit = policy[field];
      if (limit === null) continue;
      const period = budgetPeriod(kind, nowMs, principal.org.timeZone, principal.org.weekStartsOn);
      plan.push({
        name: `${scope}.${name}`,
        kind: "budget",
        measure,
        // Core's layout, which the dashboard reads; the slot is the field's place (i, o, t).
        key: budgetCounter({
          namespace,
          teamId: principal.teamId,
          level: scope,
          id,
          period: kind,
          periodStartMs: period.startMs,
          measure,
        }).key,
        slot,
        limit,
        reserve: 0,
        period: { kind, ...period },
      });
    }
  }
  return plan;
}
