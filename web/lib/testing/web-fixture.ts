import {
  addMember,
  type CoreContext,
  createApiKey,
  createDeployment,
  createOrganization,
  createTeam,
  createUser,
  deriveKeyPepper,
  ensureBuiltinModels,
} from "@perimeter/core";
import { type Db, randomBase32 } from "@perimeter/db";
import { authenticateApiToken } from "../api/api-principal";
import { loadUserPrincipal } from "../auth/load-principal";
import type { Principal } from "../authz/principal";
import type { OperationEnv } from "../operations/operation-env";

export const testKeyPepper = deriveKeyPepper("perimeter-web-tests: not a production secret");

export const roles = ["admin", "auditor", "teamAdminA", "developerA", "developerB", "apiToken"] as const;
export type Role = (typeof roles)[number];

/** One organization with two teams and a person of every role, for authorization tests. */
export interface WebFixture {
  orgId: string;
  env: OperationEnv;
  principals: Record<Role, Principal>;
  users: { admin: string; auditor: string; teamAdminA: string; developerA: string; developerB: string };
  teams: { a: string; b: string };
  members: { teamAdminA: string; developerA: string; developerB: string };
  keys: { developerA: string; serviceA: string; developerB: string; otherAdminToken: string };
  /** The built-in model, and a simulator deployment of it nothing reconciles (tests have no worker). */
  models: { builtin: string };
  deployments: { simulator: string };
  secrets: { adminToken: string; developerA: string; otherAdminToken: string };
}

function expectOk<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`fixture step failed: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

/**
 * Builds a fresh organization: team A (teamAdminA as team_admin, developerA as developer), team B
 * (developerB), an admin, an auditor, keys for developerA (owned), team A (service key) and developerB,
 * two admin-scope tokens, the built-in model and a simulator deployment of it. Each call owns its rows,
 * so tests run in parallel on one database.
 */
export async function createWebFixture(db: Db): Promise<WebFixture> {
  const suffix = randomBase32(10);
  const { org } = expectOk(await createOrganization(db, { name: `Web test ${suffix}` }));
  const ctx: CoreContext = { db, orgId: org.id, actor: { type: "system", label: "test" }, keyPepper: testKeyPepper };
  const user = async (name: string, orgRole?: "admin" | "auditor") =>
    expectOk(await createUser(ctx, { email: `${name.toLowerCase()}-${suffix}@example.test`, name, orgRole })).user.id;
  const users = {
    admin: await user("Admin", "admin"),
    auditor: await user("Auditor", "auditor"),
    teamAdminA: await user("TeamAdminA"),
    developerA: await user("DeveloperA"),
    developerB: await user("DeveloperB"),
  };
  const teams = {
    a: expectOk(await createTeam(ctx, { name: `Team A ${suffix}` })).team.id,
    b: expectOk(await createTeam(ctx, { name: `Team B ${suffix}` })).team.id,
  };
  const member = async (teamId: string, userId: string, role: "team_admin" | "developer") =>
    expectOk(await addMember(ctx, { teamId, userId, role })).member.id;
  const members = {
    teamAdminA: await member(teams.a, users.teamAdminA, "team_admin"),
    developerA: await member(teams.a, users.developerA, "developer"),
    developerB: await member(teams.b, users.developerB, "developer"),
  };
  const key = async (teamId: string | null, ownerUserId: string | null, scope: "inference" | "admin" = "inference") =>
    expectOk(await createApiKey(ctx, { teamId, ownerUserId, scope, name: `key ${randomBase32(4)}` }));
  const developerAKey = await key(teams.a, users.developerA);
  const adminToken = await key(null, null, "admin");
  const otherAdminToken = await key(null, null, "admin");
  const keys = {
    developerA: developerAKey.key.id,
    serviceA: (await key(teams.a, null)).key.id,
    developerB: (await key(teams.b, users.developerB)).key.id,
    otherAdminToken: otherAdminToken.key.id,
  };

  const [builtin] = (await ensureBuiltinModels(ctx)).created;
  if (!builtin) throw new Error("fixture step failed: no built-in model");
  const simulator = expectOk(
    await createDeployment(ctx, {
      name: "sim",
      modelId: builtin.id,
      driver: "simulator",
      spec: { simulator: { startupMs: 100 }, env: { HF_TOKEN: "hf_fixture_secret" } },
    }),
  ).deployment.id;

  const load = async (userId: string) => {
    const principal = await loadUserPrincipal(db, userId);
    if (!principal) throw new Error("fixture user is not active");
    return principal;
  };
  const api = await authenticateApiToken(
    { db, keyPepper: testKeyPepper },
    new Headers({ authorization: `Bearer ${adminToken.secret}` }),
  );
  if (!api.ok) throw new Error(api.message);
  return {
    orgId: org.id,
    env: { db, keyPepper: testKeyPepper, request: { ip: "203.0.113.7", userAgent: "vitest" } },
    principals: {
      admin: await load(users.admin),
      auditor: await load(users.auditor),
      teamAdminA: await load(users.teamAdminA),
      developerA: await load(users.developerA),
      developerB: await load(users.developerB),
      apiToken: api.principal,
    },
    users,
    teams,
    members,
    keys,
    models: { builtin: builtin.id },
    deployments: { simulator },
    secrets: {
      adminToken: adminToken.secret,
      developerA: developerAKey.secret,
      otherAdminToken: otherAdminToken.secret,
    },
  };
}
