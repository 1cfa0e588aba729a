import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type CreateDeploymentInput,
  createDeployment,
  createOrganization,
  ensureBuiltinModels,
  type OrgContext,
  replicaTableKeys,
} from "@perimeter/core";
import { type Db, randomBase32 } from "@perimeter/db";
import type { WorkerServices } from "../../services.ts";
import { createDeploymentLease } from "../deployment-lease.ts";
import type { DeploymentsEnvConfig } from "../deployments-env.ts";
import { deploymentsEnvSchema } from "../deployments-env.ts";
import type { DeploymentDriver } from "../driver.ts";
import type { ReconcileDeps } from "../reconcile-deployment.ts";

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

/** Test-only: settings with fast passes; simulator tests pass a run directory of their own. */
export function testDeploymentsConfig(pollIntervalMs = 150, simulatorRunDir?: string): DeploymentsEnvConfig {
  return deploymentsEnvSchema.parse({
    DEPLOY_POLL_INTERVAL_MS: `${pollIntervalMs}`,
    DEPLOY_RESYNC_INTERVAL_MS: "60000",
    DEPLOY_PROBE_TIMEOUT_MS: "1000",
    DEPLOY_SIMULATOR_RUN_DIR: simulatorRunDir,
    PATH: process.env.PATH,
  });
}

/** Test-only: a fresh directory for simulator replica records. */
export function simulatorRunDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "perimeter-sim-test-"));
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

/** Test-only: SIGKILLs every simulator replica recorded under `runDir` and removes the directory. */
export async function removeSimulatorReplicas(runDir: string): Promise<void> {
  for (const deploymentId of await readdir(runDir).catch(() => [])) {
    for (const pid of (await simulatorPids(runDir, deploymentId)).values()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  await rm(runDir, { recursive: true, force: true });
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

/** Test-only: what `reconcileDeployment` needs to run passes directly with `driver`, as owner `ownerId`. */
export function directReconcileDeps(
  services: WorkerServices,
  driver: DeploymentDriver,
  ownerId: string,
): ReconcileDeps {
  return {
    db: services.db,
    redis: services.redis,
    lease: createDeploymentLease(services.redis, { prefix: services.queuePrefix, ownerId, ttlMs: 10_000 }),
    driverFor: () => driver,
    replicaKeys: replicaTableKeys(services.replicaTablePrefix),
    settings: testDeploymentsConfig(),
    log: services.log,
  };
}

/** Test-only: removes every Redis key under the test's prefix (queues, leases, replica table). */
export async function dropTestKeys(services: WorkerServices): Promise<void> {
  const leftovers = await services.redis.keys(`${services.queuePrefix}:*`);
  if (leftovers.length > 0) await services.redis.del(...leftovers);
}
