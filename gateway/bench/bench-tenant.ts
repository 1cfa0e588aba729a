// The benchmark's own tenant: a scratch database, migrated, with an organization, a team, a developer and
// an inference key made through @perimeter/core, and limits on the key and the team far above any load
// the run makes, so the gateway's real admission script checks and reserves every one on every request.

import { randomBytes } from "node:crypto";
import {
  addMember,
  type CoreContext,
  createApiKey,
  createOrganization,
  createTeam,
  createUser,
  deriveKeyPepper,
  type Limits,
  loadKeyPrincipal,
  setLimits,
} from "@perimeter/core";
import { createDb } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase } from "@perimeter/db/scratch-database";
import { planLimits } from "../src/limits/limit-plan.ts";
import type { TeamPrincipal } from "../src/pipeline/authenticate.ts";

export interface BenchTenant {
  databaseUrl: string;
  /** The gateway's PERIMETER_SECRET; the key's hash is keyed from it. */
  perimeterSecret: string;
  token: string;
  orgId: string;
  teamId: string;
  /** The names of the limits admission checks on each request (`key.requests_per_minute`, …). */
  limitNames: string[];
  drop(): Promise<void>;
}

// Rates are int4 columns; budgets are bigint. Tokens per minute stay below 2^31 and the sliding windows
// only hold what requests really used once they are settled, so none of these is ever reached.
const keyLimits: Limits = {
  requestsPerMinute: 2_000_000_000,
  inputTokensPerMinute: 2_000_000_000,
  outputTokensPerMinute: 2_000_000_000,
  maxConcurrentRequests: 1_000_000,
};
const teamLimits: Limits = {
  requestsPerMinute: 2_000_000_000,
  inputTokensPerMinute: 2_000_000_000,
  totalTokensPerDay: 1e15,
  totalTokensPerMonth: 1e15,
};

function expectOk<T extends { ok: boolean }>(what: string, result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`bench tenant: ${what} failed: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

/** Creates the scratch database and the tenant in it; the caller drops it with `drop()`. */
export async function createBenchTenant(postgresUrl: string): Promise<BenchTenant> {
  const scratch = await createScratchDatabase(postgresUrl, "perimeter_bench");
  try {
    await migrate(scratch.url);
    const db = createDb(scratch.url, { maxConnections: 2 });
    try {
      const perimeterSecret = randomBytes(32).toString("base64url");
      const { org } = expectOk("createOrganization", await createOrganization(db, { name: "Benchmark" }));
      const ctx: CoreContext = {
        db,
        orgId: org.id,
        actor: { type: "system", label: "bench" },
        keyPepper: deriveKeyPepper(perimeterSecret),
      };
      const { team } = expectOk("createTeam", await createTeam(ctx, { name: "Benchmark" }));
      const { user } = expectOk("createUser", await createUser(ctx, { email: "bench@perimeter.test", name: "Bench" }));
      expectOk("addMember", await addMember(ctx, { teamId: team.id, userId: user.id }));
      const created = expectOk(
        "createApiKey",
        await createApiKey(ctx, { teamId: team.id, ownerUserId: user.id, name: "benchmark" }),
      );
      expectOk(
        "setLimits(key)",
        await setLimits(ctx, { target: { type: "key", apiKeyId: created.key.id }, limits: keyLimits }),
      );
      expectOk(
        "setLimits(team)",
        await setLimits(ctx, { target: { type: "team", teamId: team.id }, limits: teamLimits }),
      );
      const principal = await loadKeyPrincipal(db, created.key.publicId);
      if (!principal) throw new Error("bench tenant: the new key cannot be loaded");
      const plan = planLimits(principal as TeamPrincipal, { inputTokens: 1, outputTokens: 1 }, Date.now());
      return {
        databaseUrl: scratch.url,
        perimeterSecret,
        token: created.secret,
        orgId: org.id,
        teamId: team.id,
        limitNames: plan.map((limit) => limit.name),
        drop: () => scratch.drop(),
      };
    } finally {
      await db.$disconnect();
    }
  } catch (error) {
    await scratch.drop().catch(() => {});
    throw error;
  }
}
