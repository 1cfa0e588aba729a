import { lstat, mkdtemp, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { queryOnce } from "@perimeter/db/query-once";
import { afterAll, describe, expect, it } from "vitest";
import { ensurePostgres } from "../src/ensure-postgres.ts";
import { relocatedClusterDir, relocatedClustersRoot } from "../src/postgres-cluster-dir.ts";
import { isRoot, lookupPostgresUser } from "../src/postgres-os-user.ts";

// A 0700 mkdtemp directory, like a checkout under /root: the postgres OS user cannot enter it.
const parent = await mkdtemp(path.join(tmpdir(), "perimeter-pg-private-"));
const dataDir = path.join(parent, "data");
afterAll(async () => {
  await rm(relocatedClusterDir(dataDir), { recursive: true, force: true });
  await rm(parent, { recursive: true, force: true });
});

const query = async (url: string, sql: string) => (await queryOnce(url, sql)).rows;

describe("embedded Postgres with a data directory the postgres OS user cannot reach", () => {
  it.skipIf(!isRoot() || !lookupPostgresUser())(
    "keeps the cluster in /var/lib/perimeter/clusters, linked from <dataDir>/postgres, across restarts",
    { timeout: 120_000 },
    async () => {
      expect((await stat(parent)).mode & 0o777).toBe(0o700);
      const lines: string[] = [];
      const first = await ensurePostgres({ dataDir, log: (line) => lines.push(line), env: {} });
      try {
        expect(await query(first.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
        await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
      } finally {
        await first.stop();
      }
      const link = path.join(dataDir, "postgres");
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toBe(relocatedClusterDir(dataDir));
      expect(relocatedClusterDir(dataDir).startsWith(`${relocatedClustersRoot}/`)).toBe(true);
      expect(lines).toContainEqual(expect.stringContaining(`cannot reach ${parent}, so the Postgres cluster lives in`));

      const second = await ensurePostgres({ dataDir, log: () => {}, env: {} });
      try {
        expect(await query(second.url, "SELECT value FROM kept")).toEqual([{ value: "still here" }]);
      } finally {
        await second.stop();
      }
    },
  );
});
