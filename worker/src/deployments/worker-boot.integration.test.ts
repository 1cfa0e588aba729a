import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createOrganization } from "@perimeter/core";
import { createDb, type Db, randomBase32 } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { spawnService } from "@perimeter/runtime/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deploymentJobs, deploymentsQueueName, reconcileJobId } from "../queues/deployments.ts";
import { defaultQueuePrefix } from "../services.ts";
import {
  createTestDeployment,
  removeSimulatorReplicas,
  simulatorPids,
  waitFor,
} from "./testing/deployment-fixtures.ts";

const workspaceRoot = path.resolve(import.meta.dirname, "../..");

/** The worker process uses the production prefixes, so it gets a Redis database of its own (index 12). */
function isolatedRedisUrl(): string {
  const url = new URL(inject("redisUrl"));
  url.pathname = "/12";
  return url.toString();
}

// The production wiring end to end, as `npm start` runs it: env → services → deployments queue →
// catalog provisioned → a simulator deployment Ready. On a database of its own, since this worker
// reconciles every deployment it finds.
describe("worker process with the deployment manager", () => {
  let scratch: ScratchDatabase;
  let db: Db;
  let runDir: string;
  let deploymentId = "";

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresServerUrl"), "perimeter_worker_boot");
    await migrate(scratch.url);
    db = createDb(scratch.url, { maxConnections: 2 });
    runDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-boot-sim-"));
  });

  afterAll(async () => {
    await removeSimulatorReplicas(runDir);
    const redis = new Redis(isolatedRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(deploymentsQueueName, { connection: redis, prefix: defaultQueuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    const leftovers = await redis.keys(`${defaultQueuePrefix}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
    await db.$disconnect();
    await scratch.drop();
  });

  it("provisions the catalog, brings a simulator deployment to Ready, and exits 0 on SIGTERM", async () => {
    const org = await createOrganization(db, { name: `Boot ${randomBase32(8)}` });
    if (!org.ok) throw new Error(org.code);
    const proc = spawnService({
      cwd: workspaceRoot,
      env: {
        WORKER_PORT: "0",
        WORKER_HOST: "127.0.0.1",
        DATABASE_URL: scratch.url,
        REDIS_URL: isolatedRedisUrl(),
        DEPLOY_POLL_INTERVAL_MS: "200",
        DEPLOY_SIMULATOR_RUN_DIR: runDir,
      },
    });
    await proc.listening();
    expect(await proc.logged(/"msg":"queues started","queues":(\[[^\]]*\])/)).toBe('["housekeeping","deployments"]');
    // The boot resync provisions the built-in catalog in the organization.
    const model = await waitFor("the built-in model", () =>
      db.model
        .findFirst({ where: { orgId: org.org.id, publicName: "umans-coder-v0", builtin: true } })
        .then((m) => m ?? undefined),
    );
    const ctx = { db, orgId: org.org.id, actor: { type: "system" as const, label: "test-admin" } };
    deploymentId = await createTestDeployment(
      { ctx, modelId: model.id },
      {
        name: "coder",
        driver: "simulator",
        spec: { simulator: { startupMs: 500, noLatency: true }, preStopSec: 0, drainTimeoutSec: 1 },
      },
    );
    // The boot resync ran before the deployment existed; the periodic one is 30 s away. The worker still
    // finds it at once because the test asks the same way the dashboard will: through the queue.
    const redis = new Redis(isolatedRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(deploymentsQueueName, { connection: redis, prefix: defaultQueuePrefix });
    await queue.add(
      deploymentJobs.reconcile,
      { deploymentId },
      { jobId: reconcileJobId(deploymentId), removeOnComplete: true },
    );
    await queue.close();
    await redis.quit();

    await waitFor(
      "Ready",
      async () => (await db.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).phase === "ready",
    );
    expect((await simulatorPids(runDir, deploymentId)).size).toBe(1);

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
  });
});
