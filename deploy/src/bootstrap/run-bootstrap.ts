import {
  createDeployment,
  deriveKeyPepper,
  ensureAdminToken,
  ensureBuiltinModels,
  type OrgContext,
  scaleDeployment,
  seedFirstAdmin,
  updateDeployment,
} from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import type { BootstrapConfig, ModelDeploymentConfig } from "./env.ts";

/** The built-in model a configured deployment serves (core's catalog, `ensureBuiltinModels`). */
const builtinModelName = "umans-coder-v0";

export interface BootstrapResult {
  migrations: { applied: string[]; alreadyApplied: number };
  /** null when no admin was configured; otherwise whether this run created the organization. */
  organizationCreated: boolean | null;
  adminTokenCreated: boolean | null;
  /** What happened to the configured model deployment, null when none is configured. */
  modelDeployment: "created" | "updated" | "unchanged" | null;
}

async function firstOrganizationId(db: Db): Promise<string | null> {
  const org = await db.organization.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
  return org?.id ?? null;
}

async function ensureModelDeployment(ctx: OrgContext, wanted: ModelDeploymentConfig) {
  await ensureBuiltinModels(ctx);
  const model = await ctx.db.model.findFirstOrThrow({
    where: { orgId: ctx.orgId, builtin: true, publicName: builtinModelName },
  });
  const existing = await ctx.db.deployment.findFirst({
    where: { orgId: ctx.orgId, name: wanted.name, deletedAt: null },
  });
  if (!existing) {
    const created = await createDeployment(ctx, {
      name: wanted.name,
      modelId: model.id,
      driver: wanted.driver,
      replicas: wanted.replicas,
      spec: wanted.spec,
    });
    if (!created.ok) throw new Error(`cannot create deployment ${wanted.name}: ${created.code}`);
    return "created" as const;
  }
  if (existing.driver !== wanted.driver) {
    throw new Error(
      `deployment ${wanted.name} runs on the ${existing.driver} driver, not ${wanted.driver}: delete it or choose another name`,
    );
  }
  const before = existing.generation;
  const updated = await updateDeployment(ctx, { deploymentId: existing.id, spec: wanted.spec });
  if (!updated.ok) throw new Error(`cannot update deployment ${wanted.name}: ${updated.code}`);
  if (wanted.driver !== "external") {
    const scaled = await scaleDeployment(ctx, { deploymentId: existing.id, replicas: wanted.replicas });
    if (!scaled.ok) throw new Error(`cannot scale deployment ${wanted.name}: ${scaled.code}`);
  }
  const after = await ctx.db.deployment.findUniqueOrThrow({ where: { id: existing.id }, select: { generation: true } });
  return after.generation === before ? ("unchanged" as const) : ("updated" as const);
}

/**
 * What a container install runs once per install or upgrade, before the services start: applies
 * pending migrations (the offline migrator), then, when configured, seeds the first organization and
 * admin (a no-op once any organization exists), registers the admin token, and keeps the built-in
 * model's deployment as described (created, or its spec and replicas set; the worker reconciles it).
 * Every write goes through core's verbs, so each is audited. Safe to run again at any time.
 */
export async function runBootstrap(config: BootstrapConfig, log: (line: string) => void): Promise<BootstrapResult> {
  const migrated = await migrate(config.databaseUrl, { log });
  const result: BootstrapResult = {
    migrations: { applied: migrated.applied, alreadyApplied: migrated.alreadyApplied.length },
    organizationCreated: null,
    adminTokenCreated: null,
    modelDeployment: null,
  };
  log(
    migrated.applied.length === 0
      ? `migrations: nothing to apply (${migrated.alreadyApplied.length} already applied)`
      : `migrations: ${migrated.applied.length} applied, ${migrated.alreadyApplied.length} were already applied`,
  );
  if (!config.firstAdmin && !config.adminToken && !config.modelDeployment) return result;

  const db = createDb(config.databaseUrl, { maxConnections: 2 });
  try {
    const keyPepper = config.perimeterSecret ? deriveKeyPepper(config.perimeterSecret) : null;
    if (config.firstAdmin && keyPepper) {
      const seeded = await seedFirstAdmin(db, { keyPepper, ...config.firstAdmin, name: "Admin" });
      result.organizationCreated = seeded.created;
      // The starter key's secret is returned once; a job log is kept and shipped, so it is not printed.
      log(
        seeded.created
          ? `created organization "${seeded.org.name}" with admin ${seeded.admin.email}, team Default and the key claude-code (its secret is not logged: rotate it on API keys, or create one on Connect)`
          : `organization "${seeded.org.name}" exists: first admin unchanged`,
      );
    }
    const orgId = await firstOrganizationId(db);
    if (!orgId) {
      log("no organization yet: set PERIMETER_ADMIN_PASSWORD to create the first admin");
      return result;
    }
    if (config.adminToken && keyPepper) {
      const token = await ensureAdminToken(db, { keyPepper, orgId, token: config.adminToken });
      result.adminTokenCreated = token.created;
      log(
        token.created
          ? "registered PERIMETER_ADMIN_TOKEN as an admin API key"
          : "PERIMETER_ADMIN_TOKEN already registered",
      );
    }
    if (config.modelDeployment) {
      const ctx: OrgContext = { db, orgId, actor: { type: "system", label: "bootstrap" } };
      result.modelDeployment = await ensureModelDeployment(ctx, config.modelDeployment);
      log(`deployment ${config.modelDeployment.name} (${config.modelDeployment.driver}): ${result.modelDeployment}`);
    }
    return result;
  } finally {
    await db.$disconnect();
  }
}
