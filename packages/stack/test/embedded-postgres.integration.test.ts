import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { queryOnce } from "@perimeter/db/query-once";
import { afterAll, describe, expect, it } from "vitest";
import { ensurePostgres } from "../src/ensure-postgres.ts";

// Under /var/tmp and world-traversable, so that as root (where the cluster runs as the `postgres` OS
// user) the cluster stays in the data directory; relocated-cluster.integration.test.ts covers a 0700 one.
const parent = await mkdtemp("/var/tmp/perimeter-pg-");
await chmod(parent, 0o755);
const dataDir = path.join(parent, "data");
afterAll(() => rm(parent, { recursive: true, force: true }));

const query = async (url: string, sql: string) => (await queryOnce(url, sql)).rows;

describe("embedded Postgres", () => {
  it("creates a persistent cluster on first start and reuses it on the next", { timeout: 120_000 }, async () => {
    const first = await ensurePostgres({ dataDir, log: () => {}, env: {} });
    try {
      expect(first.embedded).toBe(true);
      expect(first.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/perimeter$/);
      expect(await query(first.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
    } finally {
      await first.stop();
    }
    const secrets = JSON.parse(await readFile(path.join(dataDir, "secrets.json"), "utf8"));
    expect(secrets.postgresPassword).toEqual(expect.any(String));
    expect((await stat(path.join(dataDir, "secrets.json"))).mode & 0o777).toBe(0o600);

    const second = await ensurePostgres({ dataDir, log: () => {}, env: {} });
    try {
      expect(second.url).toContain(encodeURIComponent(secrets.postgresPassword));
      expect(await query(second.url, "SELECT value FROM kept")).toEqual([{ value: "still here" }]);
    } finally {
      await second.stop();
    }
  });
});
