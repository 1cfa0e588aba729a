import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** Secrets generated once per data directory; losing them loses access to the data. */
export interface StackSecrets {
  /** Password of the `postgres` superuser of the embedded cluster. */
  postgresPassword?: string;
  /** Master secret for API-key hashes and sessions when PERIMETER_SECRET is not set. */
  perimeterSecret?: string;
}

export function secretsFilePath(dataDir: string): string {
  return path.join(dataDir, "secrets.json");
}

/** Reads `<dataDir>/secrets.json`; an absent file means nothing was generated yet. */
export async function readSecrets(dataDir: string): Promise<StackSecrets> {
  try {
    return JSON.parse(await readFile(secretsFilePath(dataDir), "utf8")) as StackSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`${secretsFilePath(dataDir)} is unreadable: ${(error as Error).message}`);
  }
}

/**
 * Merges `patch` into `<dataDir>/secrets.json`, readable by the owner only. Written to a temporary
 * file and renamed so a crash never leaves a truncated file behind (that would orphan the data).
 */
export async function updateSecrets(dataDir: string, patch: StackSecrets): Promise<StackSecrets> {
  await mkdir(dataDir, { recursive: true });
  const next = { ...(await readSecrets(dataDir)), ...patch };
  const file = secretsFilePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return next;
}
