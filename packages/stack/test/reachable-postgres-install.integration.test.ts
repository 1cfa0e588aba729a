import { spawnSync } from "node:child_process";
import { chmod, cp, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, lookupPostgresUser, type OsUser } from "../src/postgres-os-user.ts";
import {
  cachedInstallDir,
  ensureReachablePostgresInstall,
  type PostgresInstall,
  packagedPostgresInstall,
} from "../src/reachable-postgres-install.ts";

const needsRootAndPostgresUser = !isRoot() || !lookupPostgresUser();
const scratchDirs: string[] = [];
afterAll(() => Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A copy of the packaged Postgres build in a new directory under /var/tmp with the given mode. */
async function copyOfInstall(prefix: string, mode: number): Promise<{ dir: string; install: PostgresInstall }> {
  const packaged = await packagedPostgresInstall();
  const dir = await mkdtemp(`/var/tmp/${prefix}`);
  scratchDirs.push(dir);
  await chmod(dir, mode);
  await cp(packaged.nativeDir, path.join(dir, "native"), { recursive: true, verbatimSymlinks: true });
  return { dir, install: { nativeDir: path.join(dir, "native"), version: packaged.version } };
}

function postgresVersion(binary: string, user: OsUser): string {
  const result = spawnSync(binary, ["--version"], { uid: user.uid, gid: user.gid, cwd: "/", encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : `failed: ${result.error?.message ?? result.stderr}`;
}

describe("Postgres binaries the postgres OS user can reach", () => {
  it.skipIf(needsRootAndPostgresUser)("are used in place when reachable", { timeout: 30_000 }, async () => {
    const user = lookupPostgresUser() as OsUser;
    // A world-traversable copy: the checkout itself may sit where the postgres user cannot go.
    const { dir: open, install } = await copyOfInstall("perimeter-pg-reachable-", 0o755);
    const cacheRoot = path.join(open, "cache");
    expect(await ensureReachablePostgresInstall({ install, user, log: () => {}, cacheRoot })).toBe(install.nativeDir);
    expect(await readdir(open)).toEqual(["native"]);
  });

  it.skipIf(needsRootAndPostgresUser)(
    "are copied once into the cache when out of reach, safely under concurrent callers",
    { timeout: 60_000 },
    async () => {
      const user = lookupPostgresUser() as OsUser;
      // A checkout in a 0700 directory, as in a clone under /root or in a mktemp directory.
      const { dir: hidden, install } = await copyOfInstall("perimeter-pg-unreachable-", 0o700);
      expect(postgresVersion(path.join(install.nativeDir, "bin", "postgres"), user)).toMatch(/^failed/);

      // A fresh cache root, so that every run exercises the copy rather than reusing an earlier one.
      const cacheParent = await mkdtemp("/var/tmp/perimeter-pg-cache-");
      scratchDirs.push(cacheParent);
      await chmod(cacheParent, 0o755);
      const cacheRoot = path.join(cacheParent, "cache");
      const lines: string[] = [];
      const options = { install, user, log: (line: string) => lines.push(line), cacheRoot };

      const [first, second] = await Promise.all([
        ensureReachablePostgresInstall(options),
        ensureReachablePostgresInstall(options),
      ]);
      expect(first).toBe(cachedInstallDir(cacheRoot, install.version));
      expect(second).toBe(first);
      expect(lines[0]).toContain(`the postgres OS user cannot reach ${hidden}`);
      expect(postgresVersion(path.join(first, "bin", "postgres"), user)).toMatch(/^postgres \(PostgreSQL\) \d+/);

      // Only the finished copy is left, with the library symlinks kept as links and 0755 directories.
      expect(await readdir(path.dirname(first))).toEqual(["native"]);
      expect((await lstat(path.join(first, "lib", "libpq.so"))).isSymbolicLink()).toBe(true);
      expect((await lstat(path.join(first, "lib"))).mode & 0o777).toBe(0o755);

      expect(await ensureReachablePostgresInstall(options)).toBe(first);
      expect(await readdir(path.dirname(first))).toEqual(["native"]);
    },
  );
});
