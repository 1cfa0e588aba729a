import { newId } from "@perimeter/db";
import { z } from "zod";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { hashApiKey } from "./hash-api-key.ts";
import { lockApiKey } from "./lock-api-key.ts";
import { mintApiKey } from "./mint-api-key.ts";
import { publishChange } from "./publish-change.ts";

export const rotateApiKeyInputSchema = z.strictObject({
  keyId: z.string().min(1),
  /** How long the old key keeps working, so clients can switch over; 0 revokes it at once. */
  gracePeriodSec: z.int().min(0).max(86_400).default(0),
});
export type RotateApiKeyInput = z.input<typeof rotateApiKeyInputSchema>;

export type RotateApiKeyResult =
  | { ok: true; key: ApiKeyView; secret: string; previous: ApiKeyView }
  | { ok: false; code: "NOT_FOUND" | "KEY_REVOKED" | "KEY_EXPIRED" | "ALREADY_ROTATED" };

/**
 * Replaces a live key with a new one of the same team, owner, scope and name, returning the new token
 * once. The old key points at its successor and is revoked now (grace 0) or expires when the grace
 * period ends (or earlier, if it was due to expire sooner). Rotation must not loosen policy, so the
 * successor keeps the old key's lifetime (an old key valid for 90 days yields one valid 90 days from
 * now) and a copy of its key-level limits. A revoked, expired or already rotated key is refused.
 * Audits `api_key.create` for the successor and `api_key.rotate` for the old key, and announces the
 * old key's change on `changeChannel` once committed.
 */
export async function rotateApiKey(ctx: CoreContext, rawInput: RotateApiKeyInput): Promise<RotateApiKeyResult> {
  const input = rotateApiKeyInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx): Promise<RotateApiKeyResult> => {
    const old = await lockApiKey(tx, ctx.orgId, input.keyId);
    if (!old) return { ok: false, code: "NOT_FOUND" };
    if (old.revokedAt) return { ok: false, code: "KEY_REVOKED" };
    if (old.replacedById) return { ok: false, code: "ALREADY_ROTATED" };
    const now = currentTime(ctx);
    if (old.expiresAt && old.expiresAt <= now) return { ok: false, code: "KEY_EXPIRED" };

    const minted = mintApiKey();
    const lifetimeMs = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
    const successor = await tx.apiKey.create({
      data: {
        id: newId("apiKey"),
        orgId: old.orgId,
        teamId: old.teamId,
        publicId: minted.publicId,
        hash: hashApiKey(ctx.keyPepper, minted.token),
        last4: minted.last4,
        name: old.name,
        scope: old.scope,
        ownerUserId: old.ownerUserId,
        createdByUserId: ctx.actor.type === "user" ? ctx.actor.id : null,
        expiresAt: lifetimeMs === null ? null : new Date(now.getTime() + lifetimeMs),
      },
    });
    const limits = await tx.limitPolicy.findUnique({ where: { apiKeyId: old.id } });
    if (limits) {
      const { id: _id, apiKeyId: _apiKeyId, createdAt: _createdAt, updatedAt: _updatedAt, ...copy } = limits;
      await tx.limitPolicy.create({ data: { ...copy, id: newId("limitPolicy"), apiKeyId: successor.id } });
    }

    const graceEnd = new Date(now.getTime() + input.gracePeriodSec * 1000);
    const retired = await tx.apiKey.update({
      where: { id: old.id },
      data:
        input.gracePeriodSec === 0
          ? { replacedById: successor.id, revokedAt: now, revokedReason: "rotated" }
          : {
              replacedById: successor.id,
              expiresAt: old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd,
            },
    });

    const key = toApiKeyView(successor);
    const previous = toApiKeyView(retired);
    await appendAuditEvent(tx, ctx, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: successor.id,
      teamId: successor.teamId,
      after: { ...key, rotatedFromId: old.id, limitsCopied: limits !== null },
    });
    await appendAuditEvent(tx, ctx, {
      action: "api_key.rotate",
      targetType: "api_key",
      targetId: old.id,
      teamId: old.teamId,
      before: toApiKeyView(old),
      after: { ...previous, gracePeriodSec: input.gracePeriodSec },
    });
    return { ok: true, key, secret: minted.token, previous };
  });
  // The old key's end moved: caches must not keep honouring it past the grace period.
  if (result.ok) await publishChange(ctx, { entity: "api_key", id: result.previous.id });
  return result;
}
