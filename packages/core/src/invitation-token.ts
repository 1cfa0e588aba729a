import { createHash, randomBytes } from "node:crypto";

/** A fresh invitation token for a sign-up link: 32 random bytes, base64url (43 characters). */
export function mintInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * What the database keeps of an invitation token: its hex SHA-256. The token has 256 bits of entropy,
 * so a plain digest (no salt, no pepper) cannot be reversed and lets the accept page look it up directly.
 */
export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
