import type { Organization } from "@perimeter/db";
import { z } from "zod";
import { addMember } from "./add-member.ts";
import type { CoreContext, DbClient } from "./context.ts";
import { createApiKey } from "./create-api-key.ts";
import { createOrganization } from "./create-organization.ts";
import { createTeam } from "./create-team.ts";
import { createUser } from "./create-user.ts";
import { toUserView, type UserView } from "./user-view.ts";

// Only presence is checked here: email and password rules belong to createUser, which runs inside the
// seeding transaction, so a bad value rolls the whole seed back.
export const seedFirstAdminInputSchema = z.strictObject({
  orgName: z.string().trim().min(1).max(200),
  email: z.string().min(1),
  password: z.string().min(1),
  name: z.string().trim().min(1).optional(),
});
/** The key pepper is configuration, not user input, so it sits beside the validated fields. */
export type SeedFirstAdminInput = z.input<typeof seedFirstAdminInputSchema> & { keyPepper: Uint8Array };

export type SeedFirstAdminResult =
  | { created: true; org: Organization; admin: UserView; starterKeySecret: string }
  | { created: false; org: Organization; admin: UserView | null };

function expectOk<T extends { ok: boolean }>(step: string, result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`seedFirstAdmin: ${step} failed on an empty database: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

/**
 * First-start bootstrap for `npm start`, safe to run on every start and from several processes at once.
 * If the database holds any organization it changes nothing and returns the oldest one with its first
 * admin. Otherwise, in one transaction: the organization, an admin user with the given password, a
 * "Default" team with the admin as team_admin, and an inference key "claude-code" owned by the admin,
 * whose token is returned once as `starterKeySecret`. Every step is audited.
 */
export async function seedFirstAdmin(db: DbClient, rawInput: SeedFirstAdminInput): Promise<SeedFirstAdminResult> {
  const { keyPepper, ...fields } = rawInput;
  const input = seedFirstAdminInputSchema.parse(fields);
  return db.$transaction(
    async (tx): Promise<SeedFirstAdminResult> => {
      // Two processes booting together must not both find the database empty.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('perimeter/seed-first-admin', 0))`;
      const existing = await tx.organization.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      if (existing) {
        const admin = await tx.user.findFirst({
          where: { orgId: existing.id, orgRole: "admin" },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        });
        return { created: false, org: existing, admin: admin ? toUserView(admin) : null };
      }
      const { org } = expectOk("createOrganization", await createOrganization(tx, { name: input.orgName }));
      const ctx: CoreContext = {
        db: tx,
        orgId: org.id,
        actor: { type: "system", label: "seed" },
        keyPepper,
      };
      const { user: admin } = expectOk(
        "createUser",
        await createUser(ctx, {
          email: input.email,
          name: input.name ?? "Administrator",
          password: input.password,
          orgRole: "admin",
        }),
      );
      const { team } = expectOk("createTeam", await createTeam(ctx, { name: "Default" }));
      expectOk("addMember", await addMember(ctx, { teamId: team.id, userId: admin.id, role: "team_admin" }));
      const { secret } = expectOk(
        "createApiKey",
        await createApiKey(ctx, { teamId: team.id, name: "claude-code", ownerUserId: admin.id, scope: "inference" }),
      );
      return { created: true, org, admin, starterKeySecret: secret };
    },
    // Password hashing runs inside this transaction; the default 5 s budget is too tight on a slow box.
    { maxWait: 30_000, timeout: 60_000 },
  );
}
