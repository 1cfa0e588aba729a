import { randomBytes } from "node:crypto";
import { readSecrets, updateSecrets } from "./secrets-file.ts";

/**
 * The master secret: PERIMETER_SECRET when set, else the one generated into `<dataDir>/secrets.json`
 * on the first start. It must never change afterwards: API-key hashes are keyed from it, so a new
 * secret would silently invalidate every key already issued.
 */
export async function resolvePerimeterSecret(dataDir: string, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const stored = (await readSecrets(dataDir)).perimeterSecret;
  if (stored) return stored;
  const generated = randomBytes(32).toString("base64url");
  await updateSecrets(dataDir, { perimeterSecret: generated });
  return generated;
}
