import type { CoreContext } from "./context.ts";

/**
 * The Redis pub/sub channel on which core announces changes others must act on at once: revocations,
 * rotations and limit changes, which caches of keys and limits (the gateway's) drop, and changes of a
 * deployment's desired state, which workers reconcile.
 */
export const changeChannel = "perimeter:changes";

/**
 * What changed: every cached key whose key, team, member, owner or organization it is must be reloaded;
 * a deployment must be reconciled.
 */
export interface ChangeEvent {
  entity: "api_key" | "team" | "member" | "user" | "org" | "deployment";
  id: string;
}

/** Where change events go; an ioredis client fits (`publish(channel, message)`). */
export interface ChangePublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * Announces `event` on `changeChannel` through the context's publisher, after the verb's transaction has
 * committed (a cache reloading on the message must see the new rows). Without a publisher, or when
 * publishing fails, nothing is thrown: the change is committed, and caches still expire within their TTL
 * (30 s in the gateway) and workers resync every deployment (30 s), so a lost message delays the change
 * but never loses it.
 */
export async function publishChange(ctx: Pick<CoreContext, "changes">, event: ChangeEvent): Promise<void> {
  if (!ctx.changes) return;
  try {
    await ctx.changes.publish(changeChannel, JSON.stringify(event));
  } catch {
    // See above: the TTL bounds how long a cache can miss this change.
  }
}
