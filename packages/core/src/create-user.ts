import { newId } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { emailSchema } from "./email-schema.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { hashPassword, minPasswordLength } from "./password.ts";
import { toUserView, type UserView } from "./user-view.ts";

export const createUserInputSchema = z.strictObject({
  /** Stored lower-cased, so sign-in is case-insensitive. */
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  /** Omit for users who only sign in through SSO. */
  password: z.string().min(minPasswordLength).max(1024).optional(),
  orgRole: z.enum(["admin", "auditor"]).optional(),
});
export type CreateUserInput = z.input<typeof createUserInputSchema>;

export type CreateUserResult = { ok: true; user: UserView } | { ok: false; code: "EMAIL_TAKEN" };

/**
 * Adds a user to the context's organization, optionally with a local password (argon2id-hashed) and an
 * organization role. An email already used in the organization is EMAIL_TAKEN. Audits `user.create`
 * without the password hash.
 */
export async function createUser(ctx: CoreContext, rawInput: CreateUserInput): Promise<CreateUserResult> {
  const input = createUserInputSchema.parse(rawInput);
  // Hashing takes a few hundred milliseconds; do it before holding a connection in a transaction.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          id: newId("user"),
          orgId: ctx.orgId,
          email: input.email,
          name: input.name,
          passwordHash,
          orgRole: input.orgRole ?? null,
        },
      });
      const view = toUserView(user);
      await appendAuditEvent(tx, ctx, { action: "user.create", targetType: "user", targetId: user.id, after: view });
      return { ok: true, user: view } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_org_id_email_key")) return { ok: false, code: "EMAIL_TAKEN" };
    throw error;
  }
}
