import type { DbClient } from "./context.ts";

/**
 * Moves `lastUsedAt` of the given keys forward to `at` (never back). Not an admin action, so no audit
 * event: the gateway batches the keys it saw and calls this off the request path.
 */
export async function recordApiKeyUse(db: DbClient, keyIds: readonly string[], at: Date): Promise<number> {
  if (keyIds.length === 0) return 0;
  const { count } = await db.apiKey.updateMany({
    where: { id: { in: [...keyIds] }, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
    data: { lastUsedAt: at },
  });
  return count;
}
