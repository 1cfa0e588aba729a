// What the benchmark leaves in Redis, and taking it away again: the Redis may be one other developers
// share, so everything the run created goes once it ends — the reference proxy's keys, the gateway's
// limit keys of the benchmark team, and the gateway's usage events on the shared usage stream.

import { defaultUsageStreamKeys } from "@perimeter/core";
import type { Redis } from "ioredis";

/** The usage stream as it was before the run: events after `lastId` may be the run's. */
export interface StreamMark {
  existed: boolean;
  lastId: string;
  /** Consumer groups reading it: a worker that may ingest the run's events before they are removed. */
  groups: string[];
}

async function groupsOf(redis: Redis, stream: string): Promise<string[]> {
  const groups = (await redis.xinfo("GROUPS", stream).catch(() => [])) as unknown[][];
  return groups.map((fields) => String(fields[fields.indexOf("name") + 1]));
}

export async function markUsageStream(redis: Redis): Promise<StreamMark> {
  const stream = defaultUsageStreamKeys.stream;
  const last = (await redis.xrevrange(stream, "+", "-", "COUNT", 1))[0];
  const existed = (await redis.exists(stream)) === 1;
  return { existed, lastId: last?.[0] ?? "0-0", groups: existed ? await groupsOf(redis, stream) : [] };
}

async function unlinkMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** Deletes the usage events of `orgId` written after `mark`; returns how many. */
async function removeUsageEvents(redis: Redis, orgId: string, mark: StreamMark): Promise<number> {
  const stream = defaultUsageStreamKeys.stream;
  const needle = `"orgId":${JSON.stringify(orgId)}`;
  let from = `(${mark.lastId}`;
  let removed = 0;
  for (;;) {
    const entries = await redis.xrange(stream, from, "+", "COUNT", 1000);
    if (entries.length === 0) break;
    const ours = entries.filter(([, fields]) => fields.some((field) => field.includes(needle))).map(([id]) => id);
    if (ours.length > 0) removed += await redis.xdel(stream, ...ours);
    from = `(${entries.at(-1)?.[0]}`;
  }
  // A stream the run created and nobody reads goes too.
  if (!mark.existed && (await redis.xlen(stream)) === 0 && (await groupsOf(redis, stream)).length === 0) {
    await redis.del(stream);
  }
  return removed;
}

/** Removes every key matching `patterns` and the run's usage events; returns the counts. */
export async function removeBenchData(
  redis: Redis,
  input: { patterns: string[]; orgId: string; mark: StreamMark },
): Promise<{ keys: number; events: number }> {
  let keys = 0;
  for (const pattern of input.patterns) keys += await unlinkMatching(redis, pattern);
  const events = await removeUsageEvents(redis, input.orgId, input.mark);
  return { keys, events };
}
