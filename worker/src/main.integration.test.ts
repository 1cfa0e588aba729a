import path from "node:path";
import { defaultUsageStreamKeys, exportQueueName } from "@perimeter/core";
import { spawnService } from "@perimeter/runtime/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { housekeepingQueueName } from "./queues/housekeeping.ts";
import { usageRollupsQueueName } from "./queues/usage-rollups.ts";
import { defaultQueuePrefix } from "./services.ts";

const workspaceRoot = path.resolve(import.meta.dirname, "..");

/**
 * The spawned worker uses the production queue prefix, so it gets a Redis database of its own
 * (index 13) to keep its scheduler away from anything else using this Redis; emptied afterwards.
 */
function isolatedRedisUrl(): string {
  const url = new URL(inject("redisUrl"));
  url.pathname = "/13";
  return url.toString();
}

describe("worker process", () => {
  afterAll(async () => {
    const connection = new Redis(isolatedRedisUrl(), { maxRetriesPerRequest: null });
    for (const name of [housekeepingQueueName, usageRollupsQueueName, exportQueueName]) {
      const queue = new Queue(name, { connection, prefix: defaultQueuePrefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await connection.del(defaultUsageStreamKeys.stream, defaultUsageStreamKeys.deadLetter);
    await connection.quit();
  });

  it("stops with exit code 78 and one stderr line naming a malformed REDIS_URL", async () => {
    const proc = spawnService({
      cwd: workspaceRoot,
      env: { DATABASE_URL: inject("databaseUrl"), REDIS_URL: "foo" },
    });
    const [code] = await proc.exit;
    expect(code).toBe(78);
    expect(proc.output()).toEqual({
      stdout: "",
      stderr: 'config error: REDIS_URL must be a redis:// or rediss:// URL (got "foo")\n',
    });
  });

  it("boots, starts its queues, reports ready, and exits 0 on SIGTERM", async () => {
    const proc = spawnService({
      cwd: workspaceRoot,
      env: {
        WORKER_PORT: "0",
        WORKER_HOST: "127.0.0.1",
        DATABASE_URL: inject("databaseUrl"),
        REDIS_URL: isolatedRedisUrl(),
        // The deployment manager would reconcile the other tests' deployments in this shared database;
        // deployments/worker-boot.integration.test.ts boots it on a database of its own.
        DEPLOY_ENABLED: "false",
      },
    });
    const url = await proc.listening();
    await proc.logged(/"msg":"queues started"/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
    expect(proc.output().stdout).toContain('"msg":"stopped"');
  });
});
