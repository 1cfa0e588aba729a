import { deriveKeyPepper, ensureAdminToken, seedFirstAdmin } from "@perimeter/core";
import { createDb } from "@perimeter/db";
import { ConfigError } from "./config-error.ts";
import { generatePassword } from "./generate-password.ts";

export interface SeedAdminInput {
  databaseUrl: string;
  perimeterSecret: string;
  orgName: string;
  email: string;
  /** Used only when the first admin is created; a random one is generated when undefined. */
  password?: string;
  /** Registered as an admin-scope API key when set (idempotent). */
  adminToken?: string;
}

export interface SeedAdminResult {
  /** False when an organization already existed and nothing was written. */
  created: boolean;
  /** The admin's login (the existing admin's when nothing was created). */
  email: string;
  /** Set only on creation and only when we generated it: the one moment it can be shown. */
  generatedPassword?: string;
  /** The starter API key, shown once on creation. */
  starterKey?: string;
  adminTokenCreated: boolean;
}

/**
 * Seeds the first organization and admin through core (a no-op once any organization exists) and
 * registers PERIMETER_ADMIN_TOKEN when given. Safe to run on every start.
 */
export async function seedAdmin(input: SeedAdminInput): Promise<SeedAdminResult> {
  const keyPepper = deriveKeyPepper(input.perimeterSecret);
  const generatedPassword = input.password ? undefined : generatePassword();
  const db = createDb(input.databaseUrl, { maxConnections: 2 });
  try {
    const seeded = await seedFirstAdmin(db, {
      keyPepper,
      orgName: input.orgName,
      email: input.email,
      password: input.password ?? generatedPassword ?? "",
      name: "Admin",
    });
    let adminTokenCreated = false;
    if (input.adminToken) {
      try {
        const result = await ensureAdminToken(db, { keyPepper, orgId: seeded.org.id, token: input.adminToken });
        adminTokenCreated = result.created;
      } catch (error) {
        // core explains a malformed or conflicting token in a message that starts with the variable.
        if (error instanceof Error && error.message.startsWith("PERIMETER_ADMIN_TOKEN")) {
          throw new ConfigError(error.message);
        }
        throw error;
      }
    }
    return {
      created: seeded.created,
      // An organization without any admin (all removed by hand) still counts as seeded.
      email: seeded.admin?.email ?? input.email,
      generatedPassword: seeded.created ? generatedPassword : undefined,
      starterKey: seeded.created ? seeded.starterKeySecret : undefined,
      adminTokenCreated,
    };
  } finally {
    await db.$disconnect();
  }
}
