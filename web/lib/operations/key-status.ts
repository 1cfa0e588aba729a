export type KeyStatus = "active" | "rotating" | "expired" | "revoked";

/**
 * How a key stands at `now`: revoked, expired, rotating (replaced by a successor and working only until
 * its grace period ends) or active. Pure, for lists and badges.
 */
export function keyStatus(
  key: { revokedAt: Date | null; expiresAt: Date | null; replacedById: string | null },
  now: Date,
): KeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt <= now) return "expired";
  if (key.replacedById) return "rotating";
  return "active";
}
