import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";

export const recordSignInInputSchema = z.strictObject({
  method: z.enum(["password", "oidc"]),
  /** A fresh hash to store when the old one used a weaker scheme (see `passwordNeedsRehash`). */
  newPasswordHash: z.string().startsWith("$argon2id$").optional(),
});
export type RecordSignInInput = z.input<typeof recordSignInInputSchema>;

/**
 * Records a successful sign-in by the context's actor (a user): sets `lastLoginAt` and, when given,
 * replaces the password hash, then audits `user.sign_in` with the method, without the hash. The
 * password check itself happens before, in the web app; this verb only records its outcome.
 */
export async function recordSignIn(ctx: CoreContext, rawInput: RecordSignInInput): Promise<{ ok: true }> {
  const input = recordSignInInputSchema.parse(rawInput);
  if (ctx.actor.type !== "user") throw new Error("recordSignIn: the actor must be the user signing in");
  const userId = ctx.actor.id;
  return ctx.db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: userId, orgId: ctx.orgId },
      data: {
        lastLoginAt: currentTime(ctx),
        ...(input.newPasswordHash ? { passwordHash: input.newPasswordHash } : {}),
      },
    });
    await appendAuditEvent(tx, ctx, {
      action: "user.sign_in",
      targetType: "user",
      targetId: userId,
      after: { method: input.method, passwordRehashed: input.newPasswordHash !== undefined },
    });
    return { ok: true } as const;
  });
}
