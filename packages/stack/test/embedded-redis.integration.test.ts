import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ensureRedis } from "../src/ensure-redis.ts";
import { isProcessAlive } from "../src/process-liveness.ts";

const dataDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-redis-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe("embedded Redis", () => {
  it("starts redis-server from PATH, keeps data across restarts, and stops it", async () => {
    const env = { PATH: process.env.PATH };
    const first = await ensureRedis({ dataDir, log: () => {}, env });
    expect(first.embedded).toBe(true);
    expect(first.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const pid = await withClient(first.url, async (client) => {
      await client.xadd("usage", "*", "tokens", "42");
      return Number((await client.info("server")).match(/process_id:(\d+)/)?.[1]);
    });
    await first.stop();
    expect(isProcessAlive(pid)).toBe(false);

    // The append-only file in <dataDir>/redis is what keeps the usage stream across restarts.
    const second = await ensureRedis({ dataDir, log: () => {}, env });
    try {
      expect(await withClient(second.url, (client) => client.xlen("usage"))).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
