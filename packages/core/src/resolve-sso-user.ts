import { newId } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { DbClient } from "./context.ts";
import { emailSchema } from "./email-schema.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { toUserView, type UserView } from "./user-view.ts";

export const resolveSsoUserInputSchema = z.strictObject({
  orgId: z.string().min(1),
  /** The identity provider's verified email claim. */
  email: emailSchema,
  name: z.string().trim().max(200).optional(),
  /** Whether the email's domain is on the operator's allow-list, which admits people not invited. */
  domainAllowed: z.boolean(),
});
export type ResolveSsoUserInput = z.input<typeof resolveSsoUserInputSchema>;

export type ResolveSsoUserResult =
  | { ok: true; user: UserView; created: boolean }
  | { ok: false; code: "NOT_INVITED" | "USER_DISABLED" };

const ssoActor = { type: "system", label: "oidc" } as const;

/**
 * Maps an identity-provider sign-in to a user of `orgId`. An existing active user is returned as is;
 * an invited one becomes active (their open links are used up, audited `invitation.accept`); a disabled
 * one is USER_DISABLED. Someone unknown is created without any role when `domainAllowed` (audited
 * `user.create` by the system actor `oidc`), else NOT_INVITED. No cap on the number of SSO users.
 */
export async function resolveSsoUser(db: DbClient, rawInput: ResolveSsoUserInput): Promise<ResolveSsoUserResult> {
  const input = resolveSsoUserInputSchema.parse(rawInput);
  try {
    return await resolveOnce(db, input);
  } catch (error) {
    // Two first sign-ins of one person raced; the second look finds the first one's row.
    if (!isUniqueViolation(error, "users_org_id_email_key")) throw error;
    return resolveOnce(db, input);
  }
}

function resolveOnce(db: DbClient, input: z.output<typeof resolveSsoUserInputSchema>): Promise<ResolveSsoUserResult> {
  return db.$transaction(async (tx): Promise<ResolveSsoUserResult> => {
    const audit = { orgId: input.orgId, actor: ssoActor };
    const user = await tx.user.findUnique({ where: { orgId_email: { orgId: input.orgId, email: input.email } } });
    if (user?.status === "disabled") return { ok: false, code: "USER_DISABLED" };
    if (user?.status === "active") return { ok: true, user: toUserView(user), created: false };
    if (user) {
      const activated = await tx.user.update({ where: { id: user.id }, data: { status: "active" } });
      await tx.invitation.updateMany({
        where: { userId: user.id, acceptedAt: null, supersededAt: null },
        data: { acceptedAt: new Date() },
      });
      await appendAuditEvent(tx, audit, {
        action: "invitation.accept",
        targetType: "user",
        targetId: user.id,
        before: toUserView(user),
        after: { ...toUserView(activated), method: "oidc" },
      });
      return { ok: true, user: toUserView(activated), created: false };
    }
    if (!input.domainAllowed) return { ok: false, code: "NOT_INVITED" };
    const created = await tx.user.create({
      data: {
        id: newId("user"),
        orgId: input.orgId,
        email: input.email,
        name: input.name || (input.email.split("@")[0] ?? input.email),
      },
    });
    await appendAuditEvent(tx, audit, {
      action: "user.create",
      targetType: "user",
      targetId: created.id,
      after: { ...toUserView(created), method: "oidc" },
    });
    return { ok: true, user: toUserView(created), created: true };
  });
}
