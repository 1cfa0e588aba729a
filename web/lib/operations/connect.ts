import { type EffectiveLimits, getEffectiveLimits, type LimitLevel, verifyApiKey } from "@perimeter/core";
import { z } from "zod";
import type { Principal, TeamRole } from "../authz/principal";
import { can } from "../authz/rights";
import { type ConnectionTestResult, testGatewayConnection } from "../connect/test-gateway-connection";
import { type RemainingBudget, readRemainingBudgets } from "../quota/remaining-budgets";
import { type KeyRow, listKeys } from "./keys";
import type { OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, type OperationResult, ok } from "./operation-result";

export interface ConnectInfo {
  teams: { teamId: string; teamName: string; role: TeamRole }[];
  /** The principal's own usable keys (active or rotating), newest first. */
  keys: KeyRow[];
  /** What binds requests made with the newest key (or, with no key, the first membership). */
  quota: {
    keyId: string | null;
    teamName: string | null;
    levels: LimitLevel[];
    effective: EffectiveLimits;
    /**
     * What is left of each calendar budget of the newest key now, from the gateway's counters in
     * Redis; null with no key, "unavailable" when Redis cannot answer.
     */
    remaining: RemainingBudget[] | "unavailable" | null;
  } | null;
}

/** Everything the Connect page shows a signed-in user about their own access. */
export async function getConnectInfo(env: OperationEnv, principal: Principal): Promise<OperationResult<ConnectInfo>> {
  if (!can(principal, "connect.use") || !principal.userId) return forbidden("the Connect page is for signed-in people");
  const memberships = await env.db.teamMember.findMany({
    where: { userId: principal.userId, team: { orgId: principal.orgId, archivedAt: null } },
    include: { team: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  const listed = await listKeys(env, principal, { ownerUserId: principal.userId });
  const keys = listed.ok
    ? listed.value.filter((k) => k.scope === "inference" && (k.status === "active" || k.status === "rotating"))
    : [];
  const newest = keys[0];
  const first = memberships[0];
  const target = newest
    ? ({ type: "key", apiKeyId: newest.id } as const)
    : first
      ? ({ type: "member", memberId: first.id } as const)
      : null;
  const limits = target ? await getEffectiveLimits(env.db, principal.orgId, target) : null;
  const redis = env.redis;
  const nowMs = env.now?.().getTime() ?? Date.now();
  const remaining =
    newest && redis
      ? await readRemainingBudgets({ db: env.db, redis }, newest.publicId, nowMs).catch(() => "unavailable" as const)
      : null;
  return ok({
    teams: memberships.map((m) => ({ teamId: m.teamId, teamName: m.team.name, role: m.role })),
    keys,
    quota:
      limits?.ok === true
        ? {
            keyId: newest?.id ?? null,
            teamName: newest?.teamName ?? first?.team.name ?? null,
            levels: limits.levels.map((l) => l.level),
            effective: limits.effective,
            remaining,
          }
        : null,
  });
}

const keyMessages = {
  MALFORMED: "this is not a Perimeter key (sk-prm-…)",
  NOT_FOUND: "no such key",
  INVALID: "no such key",
  REVOKED: "this key is revoked",
  EXPIRED: "this key has expired",
} as const;

/**
 * Sends a real request through the gateway with one of the principal's own keys (checked here first,
 * so the dashboard cannot be used to probe other people's keys) and reports the answer and latency.
 */
export function testConnection(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
  gatewayUrl: string,
): Promise<OperationResult<ConnectionTestResult>> {
  return guard(async () => {
    if (!can(principal, "connect.use") || !principal.userId) return forbidden();
    const { key } = z.strictObject({ key: z.string().trim().min(1, "paste your key") }).parse(input);
    const verified = await verifyApiKey({ db: env.db, keyPepper: env.keyPepper, now: env.now }, key);
    if (!verified.ok) return invalid({ key: keyMessages[verified.code] });
    if (verified.key.orgId !== principal.orgId || verified.key.ownerUserId !== principal.userId) {
      return invalid({ key: "this is not one of your keys" });
    }
    return ok(await testGatewayConnection(gatewayUrl, key));
  });
}
