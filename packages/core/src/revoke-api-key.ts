import { z } from "zod";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { lockApiKey } from "./lock-api-key.ts";
import { publishChange } from "./publish-change.ts";

export const revokeApiKeyInputSchema = z.strictObject({
  keyId: z.string().min(1),
  reason: z.string().trim().max(500).nullish(),
});
export type RevokeApiKeyInput = z.input<typeof revokeApiKeyInputSchema>;

export type RevokeApiKeyResult = { ok: true; key: ApiKeyView } | { ok: false; code: "NOT_FOUND" | "ALREADY_REVOKED" };

/**
 * Revokes a key of the context's organization at once; it never verifies again. Revoking a revoked key
 * changes nothing and is ALREADY_REVOKED. Audits `api_key.revoke` with the key before and after.
 * Announces the change on `changeChannel` once committed, so gateways stop the key at once.
 */
export async function revokeApiKey(ctx: CoreContext, rawInput: RevokeApiKeyInput): Promise<RevokeApiKeyResult> {
  const input = revokeApiKeyInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx): Promise<RevokeApiKeyResult> => {
    const key = await lockApiKey(tx, ctx.orgId, input.keyId);
    if (!key) return { ok: false, code: "NOT_FOUND" };
    if (key.revokedAt) return { ok: false, code: "ALREADY_REVOKED" };
    const revoked = await tx.apiKey.update({
      where: { id: key.id },
      data: { revokedAt: currentTime(ctx), revokedReason: input.reason || null },
    });
    const view = toApiKeyView(revoked);
    await appendAuditEvent(tx, ctx, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: key.id,
      teamId: key.teamId,
      before: toApiKeyView(key),
      after: view,
    });
    return { ok: true, key: view };
  });
  if (result.ok) await publishChange(ctx, { entity: "api_key", id: result.key.id });
  return result;
}
