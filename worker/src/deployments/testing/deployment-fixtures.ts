import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type CreateDeploymentInput,
  createDeployment,
  createOrganization,
  ensureBuiltinModels,
  type OrgContext,
} from "@perimeter/core";
import { type Db, randomBase32 } from "@perimeter/db";
import type { DeploymentsEnvConfig } from "../deployments-env.ts";
import { deploymentsEnvSchema } from "../deployments-env.ts";

/** Test-only: an organization with the built-in catalog, acting as an admin user. */
export async function createCatalogTenant(db: Db): Promise<{ ctx: OrgContext; modelId: string }> {
  const created = await createOrganization(db, { name: `Deployments ${randomBase32(8)}` });
  if (!created.ok) throw new Error(created.code);
  const ctx: OrgContext = { db, orgId: created.org.id, actor: { type: "system", label: "test-admin" } };
  const { created: models } = await ensureBuiltinModels(ctx);
  const model = models[0];
  if (!model) throw new Error("no built-in model");
  return { ctx, modelId: model.id };
}

/** Test-only: creates a deployment of the tenant's built-in model or fails the test. */
export async function createTestDeployment(
  tenant: { ctx: OrgContext; modelId: string },
  input: Omit<CreateDeploymentInput, "modelId">,
): Promise<string> {
  const result = await createDeployment(tenant.ctx, { ...input, modelId: tenant.modelId });
  if (!result.ok) throw new Error(result.code);
  return result.deployment.id;
}

/** Test-only: settings with fast passes and a run directory of the test's own. */
export async function testDeploymentsConfig(pollIntervalMs = 150): Promise<DeploymentsEnvConfig> {
  const runDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-sim-test-"));
  const config = deploymentsEnvSchema.parse({
    DEPLOY_POLL_INTERVAL_MS: `${pollIntervalMs}`,
    DEPLOY_RESYNC_INTERVAL_MS: "60000",
    DEPLOY_PROBE_TIMEOUT_MS: "1000",
    DEPLOY_SIMULATOR_RUN_DIR: runDir,
    PATH: process.env.PATH,
  });
  return config;
}

/** Test-only: the pids of a deployment's simulator replicas, from the driver's records. */
export async function simulatorPids(runDir: string, deploymentId: string): Promise<Map<string, number>> {
  const dir = path.join(runDir, deploymentId);
  const pids = new Map<string, number>();
  for (const file of (await readdir(dir).catch(() => [])).filter((name) => name.endsWith(".json"))) {
    const record = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { name: string; pid: number };
    pids.set(record.name, record.pid);
  }
  return pids;
}

/** Test-only: polls `check` until it returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
