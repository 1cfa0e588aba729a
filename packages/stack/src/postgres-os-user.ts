import { spawnSync } from "node:child_process";
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

function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status === 0) return undefined;
  const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").at(-1);
  return `${command} ${args.join(" ")}: ${output || result.error?.message || `exit code ${result.status}`}`;
}

/**
 * uid and gid of the `postgres` OS user, creating it first as a system account without a home or a
 * login shell when the machine has none (only root calls this). Fails with a ConfigError when it
 * cannot be created, e.g. on a system without groupadd/useradd.
 */
export function ensurePostgresUser(log: (line: string) => void): OsUser {
  const existing = lookupPostgresUser();
  if (existing) return existing;
  log("creating the postgres OS user: as root, the embedded Postgres has to run as another user");
  const groupMissing = spawnSync("getent", ["group", "postgres"]).status !== 0;
  const failure =
    (groupMissing ? run("groupadd", ["--system", "postgres"]) : undefined) ??
    run("useradd", ["--system", "-g", "postgres", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "postgres"]);
  // A concurrent start may have created the user between our lookup and useradd, which then fails.
  const created = lookupPostgresUser();
  if (created) return created;
  throw new ConfigError(
    `could not create the postgres OS user (${failure ?? "it is still missing"}): create it yourself, or set DATABASE_URL to use your own server`,
  );
}

function ancestors(target: string): string[] {
  const chain: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (dir === path.dirname(dir)) return chain;
  }
}

/**
 * The first directory on the way to `target` (itself included) that `user` cannot enter, or
 * undefined when it can reach `target`. A missing directory counts as blocked.
 */
export function firstBlockedDirectory(target: string, user: OsUser): string | undefined {
  // Asking the kernel as the user itself covers ACLs and group membership that mode bits alone miss.
  const result = spawnSync(
    "sh",
    ["-c", 'for d do [ -x "$d" ] || { printf %s "$d"; exit 1; }; done', "sh", ...ancestors(target)],
    { uid: user.uid, gid: user.gid, cwd: "/", encoding: "utf8" },
  );
  return result.status === 0 ? undefined : result.stdout || target;
}
