import { randomBytes } from "node:crypto";
import { randomBase32 } from "@perimeter/db";
import { apiKeyPrefix } from "./parse-api-key.ts";

/** A freshly generated token; `token` is shown to the user once and never stored. */
export interface MintedApiKey {
  token: string;
  publicId: string;
  last4: string;
}

/** Generates `sk-prm-<12-char public id>-<32 random bytes, base64url>`. */
export function mintApiKey(): MintedApiKey {
  const publicId = randomBase32(12);
  const token = `${apiKeyPrefix}${publicId}-${randomBytes(32).toString("base64url")}`;
  return { token, publicId, last4: token.slice(-4) };
}
