import type { ApiKey, ApiKeyScope } from "@perimeter/db";

/** An API key as core returns it: never the hash, never the secret. */
export interface ApiKeyView {
  id: string;
  orgId: string;
  teamId: string | null;
  publicId: string;
  /** Last four characters of the token, to tell keys apart in lists. */
  last4: string;
  name: string;
  scope: ApiKeyScope;
  ownerUserId: string | null;
  createdByUserId: string | null;
  replacedById: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  lastUsedAt: Date | null;
}

/** Projects an API-key row to an `ApiKeyView`, leaving the hash behind. */
export function toApiKeyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    orgId: key.orgId,
    teamId: key.teamId,
    publicId: key.publicId,
    last4: key.last4,
    name: key.name,
    scope: key.scope,
    ownerUserId: key.ownerUserId,
    createdByUserId: key.createdByUserId,
    replacedById: key.replacedById,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    revokedReason: key.revokedReason,
    lastUsedAt: key.lastUsedAt,
  };
}
