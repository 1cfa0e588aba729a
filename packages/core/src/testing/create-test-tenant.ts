import { type Db, type Organization, randomBase32 } from "@perimeter/db";
import type { CoreContext } from "../context.ts";
import { createOrganization } from "../create-organization.ts";
import { createUser } from "../create-user.ts";
import { deriveKeyPepper } from "../derive-key-pepper.ts";
import type { UserView } from "../user-view.ts";

/** The pepper every test uses; tests never see the production secret. */
export const testKeyPepper = deriveKeyPepper("perimeter-core-tests: not a production secret");

export interface TestTenant {
  org: Organization;
  admin: UserView;
  /** Acts as `admin` in `org`. */
  ctx: CoreContext;
}

/**
 * A fresh organization with one admin user, so each test owns its rows and its audit chain and tests
 * can run in parallel against one database.
 */
export async function createTestTenant(db: Db): Promise<TestTenant> {
  const suffix = randomBase32(10);
  const created = await createOrganization(db, { name: `Test org ${suffix}` });
  if (!created.ok) throw new Error(`test tenant: ${created.code}`);
  const org = created.org;
  const system: CoreContext = {
    db,
    orgId: org.id,
    actor: { type: "system", label: "test" },
    keyPepper: testKeyPepper,
  };
  const user = await createUser(system, { email: `admin-${suffix}@example.test`, name: "Admin", orgRole: "admin" });
  if (!user.ok) throw new Error(`test tenant: ${user.code}`);
  return {
    org,
    admin: user.user,
    ctx: { ...system, actor: { type: "user", id: user.user.id, label: user.user.email } },
  };
}
