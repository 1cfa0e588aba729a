import { randomBytes } from "node:crypto";
import { chmod, copyFile, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config-error.ts";
import { firstBlockedDirectory, type OsUser } from "./postgres-os-user.ts";
import { isProcessAlive } from "./process-liveness.ts";
import { ensureTraversableDir } from "./traversable-dir.ts";

/** Shared by every checkout on the machine, so the ~60 MB copy is made once per Postgres version. */
const postgresInstallCacheRoot = "/var/tmp/perimeter-embedded-postgres";

/** A Postgres build: `nativeDir` holds `bin`, `lib` and `share`, which find each other relatively. */
export interface PostgresInstall {
  nativeDir: string;
  version: string;
}

/** The build in the `@embedded-postgres/<platform>-<arch>` package that embedded-postgres installs. */
export async function packagedPostgresInstall(): Promise<PostgresInstall> {
  // Resolved by name from here, as embedded-postgres itself does; the package exports absolute paths.
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const nativeDir = path.dirname(path.dirname(binaries.postgres));
  const manifest = JSON.parse(await readFile(path.join(nativeDir, "..", "package.json"), "utf8")) as {
    version: string;
  };
  return { nativeDir, version: manifest.version };
}

/** Where the copy of `version` lives under `cacheRoot`. */
export function cachedInstallDir(cacheRoot: string, version: string): string {
  // The version becomes a path segment; anything but a plain version string must not escape the cache.
  if (!/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) throw new Error(`unexpected Postgres package version ${version}`);
  return path.join(cacheRoot, version, "native");
}

/** The mode a copied file gets: its own, plus read (and execute, if the owner has it) for everyone. */
export function sharedFileMode(mode: number): number {
  return (mode & 0o777) | 0o444 | (mode & 0o100 ? 0o111 : 0);
}

async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target);
  await chmod(target, 0o755);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) await copyTree(from, to);
    // Verbatim: the library links are relative (libpq.so -> libpq.so.5.18) and must stay inside the copy.
    else if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (entry.isFile()) {
      await copyFile(from, to);
      await chmod(to, sharedFileMode((await lstat(from)).mode));
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

const partialPrefix = "native.partial-";

async function removeAbandonedCopies(versionDir: string): Promise<void> {
  // A copy interrupted by a crash stays behind; its name says which process was making it.
  for (const name of await readdir(versionDir)) {
    if (!name.startsWith(partialPrefix)) continue;
    const pid = Number.parseInt(name.slice(partialPrefix.length), 10);
    if (pid > 0 && !isProcessAlive(pid)) await rm(path.join(versionDir, name), { recursive: true, force: true });
  }
}

async function checkCacheRootIsOurs(cacheRoot: string): Promise<void> {
  // /var/tmp is writable by everyone: a cache root planted by another user could hold binaries of
  // their choosing, which we would then run. Only one we own and nobody else can write to is trusted.
  const stats = await lstat(cacheRoot);
  if (!stats.isDirectory() || stats.uid !== process.getuid?.() || (stats.mode & 0o022) !== 0) {
    throw new ConfigError(
      `${cacheRoot} is not a directory owned by root and writable by root only: remove it so it can be recreated`,
    );
  }
}

export interface ReachableInstallOptions {
  install: PostgresInstall;
  /** The OS user Postgres runs as; without one (not root) the install is used where it is. */
  user: OsUser | undefined;
  log: (line: string) => void;
  cacheRoot?: string;
}

/**
 * The `native` directory to run Postgres from: the install itself when `user` can reach its
 * binaries (the normal case), else a copy in `<cacheRoot>/<version>/native`. The copy is made once:
 * into a temporary sibling that is then renamed into place, so concurrent callers never see half a
 * tree, and whoever loses the rename uses the winner's copy. Directories are 0755, symlinks are kept
 * as they are, files keep their modes and become readable by everyone.
 */
export async function ensureReachablePostgresInstall(options: ReachableInstallOptions): Promise<string> {
  const { install, user, log, cacheRoot = postgresInstallCacheRoot } = options;
  if (!user) return install.nativeDir;
  const blocked = firstBlockedDirectory(path.join(install.nativeDir, "bin"), user);
  if (!blocked) return install.nativeDir;

  const target = cachedInstallDir(cacheRoot, install.version);
  await ensureTraversableDir(cacheRoot);
  await checkCacheRootIsOurs(cacheRoot);
  await ensureTraversableDir(path.dirname(target));
  if (!(await exists(target))) {
    log(`copying the Postgres binaries to ${target}: the postgres OS user cannot reach ${blocked}`);
    await removeAbandonedCopies(path.dirname(target));
    const partial = `${path.dirname(target)}/${partialPrefix}${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await copyTree(install.nativeDir, partial);
      await rename(partial, target);
    } catch (error) {
      // Losing the race to another caller's rename (ENOTEMPTY/EEXIST) is fine: its copy is complete.
      if (!(await exists(target))) throw error;
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  }
  const stillBlocked = firstBlockedDirectory(path.join(target, "bin"), user);
  if (stillBlocked) {
    throw new ConfigError(
      `the postgres OS user cannot reach ${stillBlocked}, which holds the copied Postgres binaries: chmod o+x ${stillBlocked}, or set DATABASE_URL to use your own server`,
    );
  }
  return target;
}
