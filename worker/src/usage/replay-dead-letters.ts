import type { UsageStreamKeys } from "@perimeter/core";
import type { Redis } from "ioredis";

// Moves the oldest dead letter back onto the stream and off the list in one step, so an entry is never
// in both places or in neither. Both keys carry the `{usage}` hash tag, so this also runs on Cluster.
const replayOne = `
local letter = redis.call("LINDEX", KEYS[2], 0)
if not letter then return nil end
local fields = cjson.decode(letter).fields
local id = redis.call("XADD", KEYS[1], "*", unpack(fields))
redis.call("LPOP", KEYS[2])
return id`;

/**
 * Re-adds up to `limit` dead-lettered entries, oldest first, to the usage stream with their original
 * fields, for after the cause is fixed (a newer worker that knows the version, a schema repaired by
 * hand). Each is ingested like any entry; one that still cannot be ingested is dead-lettered again.
 * Resolves with the number replayed.
 */
export async function replayDeadLetters(redis: Redis, keys: UsageStreamKeys, limit: number): Promise<number> {
  let replayed = 0;
  while (replayed < limit) {
    const id = await redis.eval(replayOne, 2, keys.stream, keys.deadLetter);
    if (id === null) break;
    replayed += 1;
  }
  return replayed;
}
