import { newId } from "@perimeter/db";
import { z } from "zod";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { hashApiKey } from "./hash-api-key.ts";
import { mintApiKey } from "./mint-api-key.ts";

export const createApiKeyInputSchema = z
  .strictObject({
    /** Required for inference keys; admin keys are organization-wide and take none. */
    teamId: z.string().min(1).nullish(),
    name: z.string().trim().min(1).max(100),
    /** Omit for a service key that belongs to the team rather than a person. */
    ownerUserId: z.string().min(1).nullish(),
    scope: z.enum(["inference", "admin"]).default("inference"),
    expiresAt: z.union([z.date(), z.iso.datetime({ offset: true }).transform((iso) => new Date(iso))]).nullish(),
  })
  .refine((input) => input.scope !== "inference" || input.teamId, {
    message: "inference keys belong to a team",
    path: ["teamId"],
  })
  .refine((input) => input.scope !== "admin" || !input.teamId, {
    message: "admin keys are organization-wide and take no team",
    path: ["teamId"],
  });
export type CreateApiKeyInput = z.input<typeof createApiKeyInputSchema>;

export type CreateApiKeyResult =
  | { ok: true; key: ApiKeyView; secret: string }
  | { ok: false; code: "NOT_FOUND"; entity: "team" | "user" }
  | { ok: false; code: "TEAM_ARCHIVED" | "USER_DISABLED" | "OWNER_NOT_MEMBER" | "EXPIRY_IN_PAST" };

/**
 * Issues an API key. The returned `secret` is the whole `sk-prm-…` token and exists only in this
 * result: the database keeps its HMAC and last four characters. An inference key's owner must be a
 * member of its team; team and owner must belong to the context's organization (NOT_FOUND otherwise).
 * The creator is the acting user, if any. Audits `api_key.create` without hash or secret.
 */
export async function createApiKey(ctx: CoreContext, rawInput: CreateApiKeyInput): Promise<CreateApiKeyResult> {
  const input = createApiKeyInputSchema.parse(rawInput);
  if (input.expiresAt && input.expiresAt <= currentTime(ctx)) return { ok: false, code: "EXPIRY_IN_PAST" };
  return ctx.db.$transaction(async (tx): Promise<CreateApiKeyResult> => {
    if (input.teamId) {
      const team = await tx.team.findFirst({ where: { id: input.teamId, orgId: ctx.orgId } });
      if (!team) return { ok: false, code: "NOT_FOUND", entity: "team" };
      if (team.archivedAt) return { ok: false, code: "TEAM_ARCHIVED" };
    }
    if (input.ownerUserId) {
      const owner = await tx.user.findFirst({ where: { id: input.ownerUserId, orgId: ctx.orgId } });
      if (!owner) return { ok: false, code: "NOT_FOUND", entity: "user" };
      if (owner.status === "disabled") return { ok: false, code: "USER_DISABLED" };
      if (input.teamId) {
        const membership = await tx.teamMember.findUnique({
          where: { teamId_userId: { teamId: input.teamId, userId: owner.id } },
          select: { id: true },
        });
        if (!membership) return { ok: false, code: "OWNER_NOT_MEMBER" };
      }
    }
    const minted = mintApiKey();
    const key = await tx.apiKey.create({
      data: {
        id: newId("apiKey"),
        orgId: ctx.orgId,
        teamId: input.teamId ?? null,
        publicId: minted.publicId,
        hash: hashApiKey(ctx.keyPepper, minted.token),
        last4: minted.last4,
        name: input.name,
        scope: input.scope,
        ownerUserId: input.ownerUserId ?? null,
        createdByUserId: ctx.actor.type === "user" ? ctx.actor.id : null,
        expiresAt: input.expiresAt ?? null,
      },
    });
    const view = toApiKeyView(key);
    await appendAuditEvent(tx, ctx, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: key.id,
      teamId: key.teamId,
      after: view,
    });
    return { ok: true, key: view, secret: minted.token };
  });
}
