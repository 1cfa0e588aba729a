import type { Prisma } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { publishChange } from "./publish-change.ts";
import { revokeLiveKeys } from "./revoke-live-keys.ts";
import { toUserView, type UserView } from "./user-view.ts";

export const updateUserInputSchema = z.strictObject({
  userId: z.string().min(1),
  name: z.string().trim().min(1).max(200).optional(),
  /** Null takes the organization role away (the user keeps their team roles). */
  orgRole: z.enum(["admin", "auditor"]).nullish(),
  status: z.enum(["active", "disabled"]).optional(),
});
export type UpdateUserInput = z.input<typeof updateUserInputSchema>;

export type UpdateUserResult =
  | { ok: true; user: UserView; revokedKeyIds: string[] }
  | { ok: false; code: "NOT_FOUND" | "LAST_ADMIN" | "NOT_ACCEPTED" };

/**
 * Renames a user, changes their organization role, or disables / re-enables them. Disabling also
 * revokes every live key they own (re-enabling does not bring keys back). The organization always keeps
 * one active admin: a change that would leave none is LAST_ADMIN. An invited user cannot be set active
 * before accepting (NOT_ACCEPTED). A user of another organization is NOT_FOUND. Audits `user.update`.
 */
export async function updateUser(ctx: CoreContext, rawInput: UpdateUserInput): Promise<UpdateUserResult> {
  const input = updateUserInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx): Promise<UpdateUserResult> => {
    // Every admin row is locked first, so two demotions at once cannot both see another admin left.
    await tx.$queryRaw`SELECT id FROM users WHERE org_id = ${ctx.orgId} AND org_role = 'admin' FOR UPDATE`;
    const user = await tx.user.findFirst({ where: { id: input.userId, orgId: ctx.orgId } });
    if (!user) return { ok: false, code: "NOT_FOUND" };
    if (input.status === "active" && user.status === "invited") return { ok: false, code: "NOT_ACCEPTED" };

    const data: Prisma.UserUpdateInput = {};
    if (input.name !== undefined) data.name = input.name;
    if (input.orgRole !== undefined) data.orgRole = input.orgRole;
    if (input.status === "disabled" && user.status !== "disabled") {
      data.status = "disabled";
      data.disabledAt = currentTime(ctx);
    } else if (input.status === "active" && user.status === "disabled") {
      data.status = "active";
      data.disabledAt = null;
    }
    const losesAdmin =
      user.orgRole === "admin" &&
      user.status === "active" &&
      ((input.orgRole !== undefined && input.orgRole !== "admin") || data.status === "disabled");
    if (losesAdmin) {
      const others = await tx.user.count({
        where: { orgId: ctx.orgId, orgRole: "admin", status: "active", id: { not: user.id } },
      });
      if (others === 0) return { ok: false, code: "LAST_ADMIN" };
    }
    if (Object.keys(data).length === 0) return { ok: true, user: toUserView(user), revokedKeyIds: [] };

    const updated = await tx.user.update({ where: { id: user.id }, data });
    const revokedKeyIds =
      data.status === "disabled" ? await revokeLiveKeys(tx, ctx, { ownerUserId: user.id }, "owner disabled") : [];
    const view = toUserView(updated);
    await appendAuditEvent(tx, ctx, {
      action: "user.update",
      targetType: "user",
      targetId: user.id,
      before: toUserView(user),
      after: { ...view, revokedKeyIds },
    });
    return { ok: true, user: view, revokedKeyIds };
  });
  // A disabled user's keys were revoked; gateways must stop them at once.
  if (result.ok && result.revokedKeyIds.length > 0) await publishChange(ctx, { entity: "user", id: result.user.id });
  return result;
}
