import { type ChangeEvent, changeChannel } from "@perimeter/core";
import type { Logger } from "@perimeter/runtime";
import type { Redis } from "ioredis";
import type { KeyCache } from "./key-cache.ts";

// Deployment changes are the workers' (they reconcile); they concern no cached key.
const entities = new Set(["api_key", "team", "member", "user", "org", "deployment"]);

function parseChange(message: string): ChangeEvent | undefined {
  try {
    const event = JSON.parse(message) as Partial<ChangeEvent>;
    if (typeof event.id === "string" && typeof event.entity === "string" && entities.has(event.entity)) {
      return event as ChangeEvent;
    }
  } catch {
    // not a change event
  }
  return undefined;
}

/**
 * Listens on core's `changeChannel` with its own Redis connection (a subscribed connection can do nothing
 * else) and evicts what each change concerns. Whenever the subscription is (re)established, the whole
 * cache is dropped: messages sent while it was down are lost, and nothing cached may outlive them.
 */
export async function subscribeToChanges(subscriber: Redis, cache: KeyCache, log: Logger): Promise<void> {
  subscriber.on("message", (channel: string, message: string) => {
    if (channel !== changeChannel) return;
    const event = parseChange(message);
    if (event) cache.evict(event);
    else log.warn("ignored a malformed change event", { message: message.slice(0, 200) });
  });
  subscriber.on("ready", () => {
    cache.clear();
    // ioredis re-subscribes on reconnect by itself; the cache must be emptied each time it does.
  });
  await subscriber.subscribe(changeChannel);
}
