import { spawnSync } from "node:child_process";
import { chmod, chown, mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config-error.ts";

/** The account Postgres runs as when we are root: Postgres refuses to run as root. */
export interface OsUser {
  uid: number;
  gid: number;
}

/** True when this process runs as root, where Postgres must be started as another user. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid and gid of the `postgres` OS user, or undefined when the machine has none. */
export function lookupPostgresUser(): OsUser | undefined {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function ancestors(target: string): string[] {
  const chain: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (dir === path.dirname(dir)) return chain;
  }
}

/** The first directory on the way to `target` that `user` cannot enter, checked as that user. */
function firstBlockedDirectory(target: string, user: OsUser): string | undefined {
  // Asking the kernel as the user itself covers ACLs and group membership that mode bits alone miss.
  const result = spawnSync(
    "sh",
    ["-c", 'for d do [ -x "$d" ] || { printf %s "$d"; exit 1; }; done', "sh", ...ancestors(target)],
    { uid: user.uid, gid: user.gid, cwd: "/", encoding: "utf8" },
  );
  return result.status === 0 ? undefined : result.stdout || target;
}

async function chownTree(target: string, user: OsUser): Promise<void> {
  await chown(target, user.uid, user.gid);
  for (const entry of await readdir(target, { withFileTypes: true })) {
    const child = path.join(target, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await chown(child, user.uid, user.gid);
  }
}

/**
 * Prepares `clusterDir` for a Postgres running as `user`: creates it owned by that user (taking over
 * a tree created by someone else, e.g. an earlier non-root run), opens `dataDir` for traversal, and
 * checks that the user can reach both the cluster and the Postgres binaries. An unreachable parent
 * (a checkout inside a 0700 home or mktemp directory) fails with one line saying what to change.
 */
export async function preparePostgresDirectories(
  dataDir: string,
  clusterDir: string,
  binaryPath: string,
  user: OsUser,
): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if ((await stat(clusterDir)).uid !== user.uid) await chownTree(clusterDir, user);
  // Our own data directory may have been created under a strict umask; Postgres only needs to pass
  // through it, so execute-only for others is enough and lists nothing (secrets.json stays 0600).
  const dataDirStat = await stat(dataDir);
  if (dataDirStat.uid === process.getuid?.() && (dataDirStat.mode & 0o001) === 0) {
    await chmod(dataDir, (dataDirStat.mode & 0o7777) | 0o001);
  }

  const blockedBinary = firstBlockedDirectory(path.dirname(binaryPath), user);
  if (blockedBinary) {
    throw new ConfigError(
      `the postgres OS user cannot reach ${blockedBinary}, which holds the embedded Postgres binaries (as root, Postgres runs as that user): make it traversable (chmod o+x ${blockedBinary}), move the checkout elsewhere, or set DATABASE_URL to use your own server`,
    );
  }
  const blockedData = firstBlockedDirectory(clusterDir, user);
  if (blockedData) {
    throw new ConfigError(
      `the postgres OS user cannot reach ${blockedData} (as root, embedded Postgres runs as that user): chmod o+x ${blockedData}, set PERIMETER_DATA_DIR to a directory it can reach, or set DATABASE_URL to use your own server`,
    );
  }
}
