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

export const recordSignInFailureInputSchema = z.strictObject({
  userId: z.string().min(1),
  method: z.enum(["password"]),
  /** Why it failed: a wrong password (or none set yet), refused by the throttle, or a disabled account. */
  reason: z.enum(["wrong_password", "throttled", "disabled"]),
});
export type RecordSignInFailureInput = z.input<typeof recordSignInFailureInputSchema>;

/**
 * Records a failed sign-in to an existing account as `user.sign_in_failed` on that account, with the
 * reason, the client's address and user agent (from the context) — never the password tried. Nobody
 * is signed in, so the actor is the system's sign-in form. Attempts on unknown emails have no
 * organization to audit them in; the throttle counts those.
 */
export async function recordSignInFailure(ctx: CoreContext, rawInput: RecordSignInFailureInput): Promise<{ ok: true }> {
  const input = recordSignInFailureInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx) => {
    await appendAuditEvent(tx, ctx, {
      action: "user.sign_in_failed",
      targetType: "user",
      targetId: input.userId,
      after: { method: input.method, reason: input.reason },
    });
    return { ok: true } as const;
  });
}
