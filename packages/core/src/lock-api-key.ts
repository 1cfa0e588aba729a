import type { ApiKey, Prisma } from "@perimeter/db";

/**
 * Reads an API key of `orgId` with a row lock held until the transaction ends, so two concurrent
 * revocations or rotations of one key see each other's result instead of both acting. Null when the
 * key does not exist in that organization.
 */
export async function lockApiKey(tx: Prisma.TransactionClient, orgId: string, keyId: string): Promise<ApiKey | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM api_keys WHERE id = ${keyId} AND org_id = ${orgId} FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.apiKey.findUnique({ where: { id: keyId } });
}
