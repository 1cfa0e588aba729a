import {
  type ApiKeyView,
  type CreateApiKeyResult,
  createApiKey,
  limitsSchema,
  revokeApiKey,
  revokeApiKeyInputSchema,
  rotateApiKey,
  rotateApiKeyInputSchema,
  setLimits,
} from "@perimeter/core";
import type { Prisma } from "@perimeter/db";
import { z } from "zod";
import type { Principal } from "../authz/principal";
import { can, type Resource } from "../authz/rights";
import { type KeyStatus, keyStatus } from "./key-status";
import { limitsOutsideCaps } from "./limits";
import { coreContext, type OperationEnv } from "./operation-env";
import {
  forbidden,
  guard,
  invalid,
  notFound,
  type OperationFailure,
  type OperationResult,
  ok,
} from "./operation-result";

export interface KeyRow {
  id: string;
  name: string;
  publicId: string;
  last4: string;
  scope: "inference" | "admin";
  teamId: string | null;
  teamName: string | null;
  ownerUserId: string | null;
  ownerEmail: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  lastUsedAt: Date | null;
  replacedById: string | null;
  status: KeyStatus;
  canManage: boolean;
}

const listKeysInputSchema = z.strictObject({
  teamId: z.string().min(1).optional(),
  ownerUserId: z.string().min(1).optional(),
  includeRevoked: z.boolean().default(false),
});

/**
 * Keys the principal may see, newest first: every key for admins and auditors, their teams' keys for
 * team admins, their own keys for everyone. Never secrets or hashes: only the public id and last four.
 */
export function listKeys(
  env: OperationEnv,
  principal: Principal,
  input: unknown = {},
): Promise<OperationResult<KeyRow[]>> {
  return guard(async () => {
    const filters = listKeysInputSchema.parse(input);
    const adminOfTeams = [...principal.teamRoles].filter(([, role]) => role === "team_admin").map(([id]) => id);
    const visible: Prisma.ApiKeyWhereInput = can(principal, "keys.read.all")
      ? {}
      : {
          OR: [
            { teamId: { in: adminOfTeams } },
            ...(principal.userId ? [{ ownerUserId: principal.userId, scope: "inference" as const }] : []),
          ],
        };
    const keys = await env.db.apiKey.findMany({
      where: {
        AND: [
          { orgId: principal.orgId },
          visible,
          filters.teamId ? { teamId: filters.teamId } : {},
          filters.ownerUserId ? { ownerUserId: filters.ownerUserId } : {},
          filters.includeRevoked ? {} : { revokedAt: null },
        ],
      },
      orderBy: { createdAt: "desc" },
      take: 1000,
      include: { team: { select: { name: true } }, owner: { select: { email: true } } },
    });
    const now = env.now?.() ?? new Date();
    return ok(
      keys.map((key) => ({
        id: key.id,
        name: key.name,
        publicId: key.publicId,
        last4: key.last4,
        scope: key.scope,
        teamId: key.teamId,
        teamName: key.team?.name ?? null,
        ownerUserId: key.ownerUserId,
        ownerEmail: key.owner?.email ?? null,
        createdAt: key.createdAt,
        expiresAt: key.expiresAt,
        revokedAt: key.revokedAt,
        revokedReason: key.revokedReason,
        lastUsedAt: key.lastUsedAt,
        replacedById: key.replacedById,
        status: keyStatus(key, now),
        canManage: can(principal, key.scope === "admin" ? "tokens.manage" : "keys.manage", key),
      })),
    );
  });
}

const expiresAtSchema = z
  .union([z.date(), z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with an offset" })])
  .transform((value) => (value instanceof Date ? value : new Date(value)))
  .nullish();

export const createKeyInputSchema = z.strictObject({
  teamId: z.string().min(1, "choose a team"),
  name: z.string().trim().min(1, "give the key a name").max(100),
  /** The person the key belongs to; null for a service key of the team; omitted: the signed-in user. */
  ownerUserId: z.string().min(1).nullish(),
  expiresAt: expiresAtSchema,
  limits: limitsSchema.optional(),
});

export interface CreatedKey {
  key: ApiKeyView;
  /** The whole `sk-prm-…` token: exists only in this result. */
  secret: string;
}

function createFailure(result: Exclude<CreateApiKeyResult, { ok: true }>): OperationFailure {
  switch (result.code) {
    case "NOT_FOUND":
      return result.entity === "team" ? notFound("team") : invalid({ ownerUserId: "no such user" });
    case "TEAM_ARCHIVED":
      return invalid({ teamId: "this team is archived" });
    case "USER_DISABLED":
      return invalid({ ownerUserId: "this user is disabled" });
    case "OWNER_NOT_MEMBER":
      return invalid({ ownerUserId: "the owner must be a member of the team" });
    case "EXPIRY_IN_PAST":
      return invalid({ expiresAt: "must be in the future" });
  }
}

/** Rolls the key back when its limits cannot be written, so a failure leaves nothing half-made. */
class LimitsRejected extends Error {}

/**
 * Issues an inference key in a team, with optional expiry and key-level limits, atomically: the key
 * and its limits are written in one transaction or not at all. Developers issue keys for themselves;
 * admins and the team's admins for any member, or service keys (owner null). The secret is returned once.
 */
export function createKeyAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<CreatedKey>> {
  return guard(async () => {
    const parsed = createKeyInputSchema.parse(input);
    const ownerUserId = parsed.ownerUserId === undefined ? principal.userId : parsed.ownerUserId;
    const resource: Resource = { teamId: parsed.teamId, ownerUserId };
    const team = await env.db.team.findFirst({ where: { id: parsed.teamId, orgId: principal.orgId } });
    if (!team || !can(principal, "team.read", resource)) return notFound("team");
    if (!can(principal, "keys.create", resource)) return forbidden("you can create keys only for yourself");
    if (parsed.limits) {
      if (!can(principal, "limits.set.key", resource)) return forbidden("your role cannot set key limits");
      const outside = await limitsOutsideCaps(env, principal.orgId, parsed.limits);
      if (Object.keys(outside).length > 0) return invalid(outside, "limits exceed the organization's caps");
    }
    const { limits } = parsed;
    try {
      return await env.db.$transaction(async (tx): Promise<OperationResult<CreatedKey>> => {
        const ctx = { ...coreContext(env, principal), db: tx };
        const created = await createApiKey(ctx, {
          teamId: parsed.teamId,
          name: parsed.name,
          ownerUserId,
          scope: "inference",
          expiresAt: parsed.expiresAt ?? null,
        });
        if (!created.ok) return createFailure(created);
        if (limits) {
          const set = await setLimits(ctx, { target: { type: "key", apiKeyId: created.key.id }, limits });
          if (!set.ok) throw new LimitsRejected();
        }
        return ok({ key: created.key, secret: created.secret });
      });
    } catch (error) {
      if (error instanceof LimitsRejected) return notFound("key");
      throw error;
    }
  });
}

/** Issues an organization-wide admin-scope token for the `/api/v1` API (admins only), returned once. */
export function createAdminTokenAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<CreatedKey>> {
  return guard(async () => {
    if (!can(principal, "tokens.manage")) return forbidden("only admins create API tokens");
    const parsed = z.strictObject({ name: z.string().trim().min(1).max(100), expiresAt: expiresAtSchema }).parse(input);
    const created = await createApiKey(coreContext(env, principal), {
      name: parsed.name,
      scope: "admin",
      expiresAt: parsed.expiresAt ?? null,
    });
    if (!created.ok) return createFailure(created);
    return ok({ key: created.key, secret: created.secret });
  });
}

async function keyResource(env: OperationEnv, principal: Principal, keyId: string) {
  const key = await env.db.apiKey.findFirst({ where: { id: keyId, orgId: principal.orgId } });
  if (!key || !can(principal, "keys.read", key)) return null;
  return key;
}

function manageRight(key: { scope: "inference" | "admin" }) {
  return key.scope === "admin" ? ("tokens.manage" as const) : ("keys.manage" as const);
}

/** Revokes a key at once; admins, the team's admins, and the key's owner. */
export function revokeKeyAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<ApiKeyView>> {
  return guard(async () => {
    const parsed = revokeApiKeyInputSchema.parse(input);
    const key = await keyResource(env, principal, parsed.keyId);
    if (!key) return notFound("key");
    if (!can(principal, manageRight(key), key)) return forbidden();
    const result = await revokeApiKey(coreContext(env, principal), parsed);
    if (!result.ok) {
      return result.code === "ALREADY_REVOKED"
        ? { ok: false, code: "CONFLICT", message: "this key is already revoked" }
        : notFound("key");
    }
    return ok(result.key);
  });
}

const rotateMessages = {
  KEY_REVOKED: "a revoked key cannot be rotated",
  KEY_EXPIRED: "an expired key cannot be rotated",
  ALREADY_ROTATED: "this key was already rotated; rotate its successor",
} as const;

/** Replaces a key with a new one (secret returned once); the old one works for the grace period. */
export function rotateKeyAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<CreatedKey & { previous: ApiKeyView }>> {
  return guard(async () => {
    const parsed = rotateApiKeyInputSchema.parse(input);
    const key = await keyResource(env, principal, parsed.keyId);
    if (!key) return notFound("key");
    if (!can(principal, manageRight(key), key)) return forbidden();
    const result = await rotateApiKey(coreContext(env, principal), parsed);
    if (!result.ok) {
      if (result.code === "NOT_FOUND") return notFound("key");
      return { ok: false, code: "CONFLICT", message: rotateMessages[result.code] };
    }
    return ok({ key: result.key, secret: result.secret, previous: result.previous });
  });
}
