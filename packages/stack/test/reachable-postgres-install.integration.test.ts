import { spawnSync } from "node:child_process";
import { chmod, cp, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, lookupPostgresUser, type OsUser } from "../src/postgres-os-user.ts";
import {
  cachedInstallDir,
  ensureReachablePostgresInstall,
  packagedPostgresInstall,
} from "../src/reachable-postgres-install.ts";

const needsRootAndPostgresUser = !isRoot() || !lookupPostgresUser();
const scratchDirs: string[] = [];
afterAll(() => Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

function postgresVersion(binary: string, user: OsUser): string {
  const result = spawnSync(binary, ["--version"], { uid: user.uid, gid: user.gid, cwd: "/", encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : `failed: ${result.error?.message ?? result.stderr}`;
}

describe("Postgres binaries the postgres OS user can reach", () => {
  it.skipIf(needsRootAndPostgresUser)("are used in place when reachable", { timeout: 30_000 }, async () => {
    const packaged = await packagedPostgresInstall();
    const user = lookupPostgresUser() as OsUser;
    // A world-traversable copy: the checkout itself may sit where the postgres user cannot go.
    const open = await mkdtemp("/var/tmp/perimeter-pg-reachable-");
    scratchDirs.push(open);
    await chmod(open, 0o755);
    await cp(packaged.nativeDir, path.join(open, "native"), { recursive: true, verbatimSymlinks: true });
    const install = { nativeDir: path.join(open, "native"), version: packaged.version };
    const cacheRoot = path.join(open, "cache");
    expect(await ensureReachablePostgresInstall({ install, user, log: () => {}, cacheRoot })).toBe(install.nativeDir);
    expect(await readdir(open)).toEqual(["native"]);
  });

  it.skipIf(needsRootAndPostgresUser)(
    "are copied once into the cache when out of reach, safely under concurrent callers",
    { timeout: 60_000 },
    async () => {
      const packaged = await packagedPostgresInstall();
      const user = lookupPostgresUser() as OsUser;
      // A checkout in a 0700 directory, as in a clone under /root or in a mktemp directory.
      const hidden = await mkdtemp("/var/tmp/perimeter-pg-unreachable-");
      scratchDirs.push(hidden);
      await chmod(hidden, 0o700);
      await cp(packaged.nativeDir, path.join(hidden, "native"), { recursive: true, verbatimSymlinks: true });
      const install = { nativeDir: path.join(hidden, "native"), version: packaged.version };
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
      expect(first).toBe(cachedInstallDir(cacheRoot, packaged.version));
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
