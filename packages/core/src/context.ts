import type { Db, Prisma } from "@perimeter/db";
import type { ChangePublisher } from "./publish-change.ts";

/** Who performed an action; copied into every audit event the action writes. */
export type Actor =
  | { type: "user"; id: string; label?: string }
  | { type: "api_key"; id: string; label?: string }
  | { type: "system"; label: string };

/**
 * A Prisma client, or an interactive transaction already open on one. Verbs open their own
 * transaction on it; inside a caller's transaction that becomes a savepoint, so several verbs can be
 * composed into one atomic change (as `seedFirstAdmin` does).
 */
export type DbClient = Db | Prisma.TransactionClient;

/** Everything a verb needs besides its input: where it writes, for which organization, on whose behalf. */
export interface CoreContext {
  db: DbClient;
  orgId: string;
  actor: Actor;
  /** Key for API-key HMACs, from `deriveKeyPepper(PERIMETER_SECRET)`. */
  keyPepper: Uint8Array;
  request?: { ip?: string; userAgent?: string; requestId?: string };
  /** Clock override for tests; defaults to the system clock. */
  now?: () => Date;
  /** Announces revocations and limit changes to the gateways' caches (`publishChange`); optional. */
  changes?: ChangePublisher;
}

/** The context's clock, or the system clock when it has none. */
export function currentTime(ctx: { now?: () => Date }): Date {
  return ctx.now ? ctx.now() : new Date();
}

/** A context for verbs that never touch API keys (catalog, deployments), so the worker needs no pepper. */
export type OrgContext = Omit<CoreContext, "keyPepper">;
