import { createHash } from "node:crypto";
import { chmod, chown, lchown, lstat, mkdir, readdir, readlink, realpath, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config-error.ts";
import { firstBlockedDirectory, type OsUser } from "./postgres-os-user.ts";
import { ensureTraversableDir } from "./traversable-dir.ts";

/** Where clusters go whose data directory the `postgres` OS user cannot reach; persistent, unlike /tmp. */
export const relocatedClustersRoot = "/var/lib/perimeter/clusters";

/** The relocated cluster of `dataDir`: one per absolute data directory, so checkouts never share one. */
export function relocatedClusterDir(dataDir: string, root = relocatedClustersRoot): string {
  const digest = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16);
  return path.join(root, digest);
}

/** What `<dataDir>/postgres` is on disk. */
export type ClusterEntry = "absent" | "directory" | "symlink" | "other";

export type ClusterPlacement =
  /** Use (or create) `<dataDir>/postgres` as a directory. */
  | { kind: "in-data-dir" }
  /** An earlier start relocated the cluster (or the user linked it elsewhere): use the link's target. */
  | { kind: "follow-link" }
  /** Nothing there yet and the postgres user cannot reach the data directory: relocate and link. */
  | { kind: "relocate"; blocked: string }
  /** A cluster directory exists but is out of the postgres user's reach; it is never moved for the user. */
  | { kind: "unreachable"; blocked: string }
  | { kind: "not-a-directory" };

/**
 * Decides where the cluster of a root-run Postgres lives from what `<dataDir>/postgres` is and the
 * first directory on the way to `dataDir` that the postgres user cannot enter (undefined: none).
 */
export function chooseClusterPlacement(entry: ClusterEntry, blocked: string | undefined): ClusterPlacement {
  switch (entry) {
    case "symlink":
      return { kind: "follow-link" };
    case "other":
      return { kind: "not-a-directory" };
    case "directory":
      return blocked ? { kind: "unreachable", blocked } : { kind: "in-data-dir" };
    case "absent":
      return blocked ? { kind: "relocate", blocked } : { kind: "in-data-dir" };
  }
}

async function entryKind(file: string): Promise<ClusterEntry> {
  try {
    const stats = await lstat(file);
    if (stats.isSymbolicLink()) return "symlink";
    return stats.isDirectory() ? "directory" : "other";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
}

async function chownTree(target: string, user: OsUser): Promise<void> {
  await chown(target, user.uid, user.gid);
  for (const entry of await readdir(target, { withFileTypes: true })) {
    const child = path.join(target, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await lchown(child, user.uid, user.gid);
  }
}

/** Creates `dir` owned by `user` (taking over a tree someone else made, e.g. a non-root run). */
async function claimClusterDir(dir: string, user: OsUser): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if ((await stat(dir)).uid !== user.uid) await chownTree(dir, user);
  return realpath(dir);
}

function unreachableError(blocked: string, what: string): ConfigError {
  return new ConfigError(
    `the postgres OS user cannot reach ${blocked}${what} (as root, embedded Postgres runs as that user): chmod o+x ${blocked}, set PERIMETER_DATA_DIR to a directory it can reach, or set DATABASE_URL to use your own server`,
  );
}

export interface ClusterDirOptions {
  dataDir: string;
  /** The OS user Postgres runs as; undefined when we are not root and Postgres runs as us. */
  user: OsUser | undefined;
  log: (line: string) => void;
  clustersRoot?: string;
}

/**
 * The real path of the directory holding the embedded cluster, which `<dataDir>/postgres` names.
 * Run as root, the directory is made to belong to `user` and be reachable by it: when the postgres
 * user cannot enter the data directory (a checkout inside a 0700 home or mktemp directory) a new
 * cluster goes to `<clustersRoot>/<hash of dataDir>` and `<dataDir>/postgres` becomes a symlink to
 * it, which later starts follow. An existing cluster directory out of reach is a ConfigError:
 * user data is never moved behind the user's back.
 */
export async function preparePostgresClusterDir(options: ClusterDirOptions): Promise<string> {
  const { user, log, clustersRoot = relocatedClustersRoot } = options;
  const dataDir = path.resolve(options.dataDir);
  const link = path.join(dataDir, "postgres");
  if (!user) return realpath(link).catch(() => link);

  // Our own data directory may have been created under a strict umask; Postgres only needs to pass
  // through it, so execute-only for others is enough and lists nothing (secrets.json stays 0600).
  const dataDirStat = await stat(dataDir);
  if (dataDirStat.uid === process.getuid?.() && (dataDirStat.mode & 0o001) === 0) {
    await chmod(dataDir, (dataDirStat.mode & 0o7777) | 0o001);
  }

  const placement = chooseClusterPlacement(await entryKind(link), firstBlockedDirectory(dataDir, user));
  switch (placement.kind) {
    case "not-a-directory":
      throw new ConfigError(`${link} is neither a directory nor a symlink: move it away and start again`);
    case "unreachable":
      throw unreachableError(placement.blocked, `, on the way to the embedded Postgres cluster in ${link}`);
    case "in-data-dir":
      return claimClusterDir(link, user);
    case "follow-link": {
      const target = path.resolve(dataDir, await readlink(link));
      // A link whose target was deleted starts a new cluster there, as a deleted directory would.
      await ensureTraversableDir(path.dirname(target));
      const blocked = firstBlockedDirectory(path.dirname(target), user);
      if (blocked) throw unreachableError(blocked, `, where ${link} points`);
      return claimClusterDir(target, user);
    }
    case "relocate": {
      const target = relocatedClusterDir(dataDir, clustersRoot);
      await ensureTraversableDir(clustersRoot);
      const blocked = firstBlockedDirectory(clustersRoot, user);
      if (blocked) throw unreachableError(blocked, `, where clusters of unreachable data directories go`);
      const real = await claimClusterDir(target, user);
      try {
        await symlink(target, link);
      } catch (error) {
        // Another start got there first; its link is what we would have made.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        return preparePostgresClusterDir(options);
      }
      log(
        `the postgres OS user cannot reach ${placement.blocked}, so the Postgres cluster lives in ${target} (${link} links to it)`,
      );
      return real;
    }
  }
}
