import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";

/**
 * Creates `dir` and any missing ancestors with mode 0755, so that the `postgres` OS user can pass
 * through them whatever our umask is. Directories that already exist are left as they are.
 */
export async function ensureTraversableDir(dir: string): Promise<void> {
  const absolute = path.resolve(dir);
  const parent = path.dirname(absolute);
  if (parent !== absolute) await ensureTraversableDir(parent);
  try {
    await mkdir(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  // mkdir's mode is filtered through the umask; a 077 umask would lock the postgres user out.
  await chmod(absolute, 0o755);
}
