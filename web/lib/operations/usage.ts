import {
  getUsageReport,
  getUsageReportInputSchema,
  listUsageEvents,
  listUsageEventsInputSchema,
  type UsageEventView,
  type UsageReportBucket,
} from "@perimeter/core";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import type { OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

/** What a usage query is narrowed to: lists of teams, keys, users and model names (each optional). */
export interface UsageSelection {
  teamIds?: string[];
  apiKeyIds?: string[];
  userIds?: string[];
  models?: string[];
}

/**
 * The narrowing the principal's rights add to `selection`: nothing for admins and auditors, nothing
 * when every named key or team is one the principal runs (or owns, for keys), else their own usage
 * only (`userIds: [me]`), which is also what a selection without keys or teams means for them.
 * Anything named that they may not see is NOT_FOUND, as if it did not exist.
 */
export async function usageAccess(
  env: OperationEnv,
  principal: Principal,
  selection: UsageSelection,
): Promise<OperationResult<{ userIds?: string[] }>> {
  if (can(principal, "usage.read.all")) return ok({});
  if (!can(principal, "usage.read.own") || !principal.userId) return forbidden();
  const me = principal.userId;
  const teamIds = selection.teamIds ?? [];
  if (!teamIds.every((teamId) => can(principal, "team.read", { teamId }))) return notFound("team");
  const keyIds = selection.apiKeyIds ?? [];
  if (keyIds.length > 0) {
    const keys = await env.db.apiKey.findMany({
      where: { id: { in: keyIds }, orgId: principal.orgId },
      select: { id: true, teamId: true, ownerUserId: true },
    });
    const visible = (keyId: string) => {
      const key = keys.find((k) => k.id === keyId);
      return key !== undefined && (key.ownerUserId === me || can(principal, "usage.read.team", { teamId: key.teamId }));
    };
    if (!keyIds.every(visible)) return notFound("key");
    // Each key's whole usage belongs to the principal or to a team they run.
    return ok({});
  }
  if (teamIds.length > 0 && teamIds.every((teamId) => can(principal, "usage.read.team", { teamId }))) return ok({});
  if (selection.userIds?.some((userId) => userId !== me)) return notFound("user");
  return ok({ userIds: [me] });
}

export interface UsageReport {
  data: UsageReportBucket[];
  has_more: boolean;
  next_page: string | null;
}

const reportFailures = {
  INVALID_RANGE: { endingAt: "must be after the start" },
  INVALID_PAGE: { page: "is not a page of this report" },
} as const;

/**
 * Usage over time from the rollups (core's `getUsageReport`, Anthropic's report shape), narrowed to
 * what the principal may see: the organization (admins, auditors), a team they run, their own keys.
 */
export function getUsage(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<UsageReport>> {
  return guard(async () => {
    // Core's own schema, so a bad field is named before any access check or query.
    const parsed = getUsageReportInputSchema.parse(input);
    const access = await usageAccess(env, principal, parsed);
    if (!access.ok) return access;
    const query = { ...parsed, userIds: access.value.userIds ?? parsed.userIds };
    const result = await getUsageReport({ db: env.db, orgId: principal.orgId, now: env.now }, query);
    if (!result.ok) return invalid(reportFailures[result.code]);
    return ok(result.report);
  });
}

export interface RequestLogPage {
  data: UsageEventView[];
  hasMore: boolean;
  nextCursor: string | null;
}

const wrap = (value: string | undefined) => (value === undefined ? undefined : [value]);

/**
 * The request log (core's `listUsageEvents`: newest first, keyset cursor) narrowed like `getUsage`.
 * Rows carry metadata and token counts, never prompt text.
 */
export function listRequests(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<RequestLogPage>> {
  return guard(async () => {
    const parsed = listUsageEventsInputSchema.parse(input);
    const access = await usageAccess(env, principal, {
      teamIds: wrap(parsed.teamId),
      apiKeyIds: wrap(parsed.apiKeyId),
      userIds: wrap(parsed.userId),
    });
    if (!access.ok) return access;
    const query = { ...parsed, userId: access.value.userIds?.[0] ?? parsed.userId };
    const result = await listUsageEvents({ db: env.db, orgId: principal.orgId }, query);
    if (!result.ok) return invalid({ cursor: "is not a cursor of this log" });
    return ok({ data: result.data, hasMore: result.hasMore, nextCursor: result.nextCursor });
  });
}

/** Display names of the teams, keys and users a report or log mentions, by id. */
export interface UsageLabels {
  teams: Record<string, string>;
  keys: Record<string, string>;
  users: Record<string, string>;
}

/**
 * Names for ids that appear in usage the principal was already allowed to read: team names, key
 * names with their last four characters, user emails. Only ids of the principal's organization resolve.
 */
export async function usageLabels(
  env: OperationEnv,
  principal: Principal,
  ids: { teamIds: Iterable<string>; apiKeyIds: Iterable<string>; userIds: Iterable<string> },
): Promise<UsageLabels> {
  const orgId = principal.orgId;
  const [teams, keys, users] = await Promise.all([
    env.db.team.findMany({ where: { orgId, id: { in: [...new Set(ids.teamIds)] } }, select: { id: true, name: true } }),
    env.db.apiKey.findMany({
      where: { orgId, id: { in: [...new Set(ids.apiKeyIds)] } },
      select: { id: true, name: true, last4: true },
    }),
    env.db.user.findMany({
      where: { orgId, id: { in: [...new Set(ids.userIds)] } },
      select: { id: true, email: true },
    }),
  ]);
  return {
    teams: Object.fromEntries(teams.map((t) => [t.id, t.name])),
    keys: Object.fromEntries(keys.map((k) => [k.id, `${k.name} …${k.last4}`])),
    users: Object.fromEntries(users.map((u) => [u.id, u.email])),
  };
}
