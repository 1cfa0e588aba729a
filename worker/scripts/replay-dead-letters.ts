// Puts dead-lettered usage entries back on the stream once their cause is fixed:
//   npm run usage:replay-dead-letters -w @perimeter/worker            (REPLAY_LIMIT, default 10000)
import { defaultUsageStreamKeys } from "@perimeter/core";
import { loadConfigOrExit, redisUrlVar } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { z } from "zod";
import { replayDeadLetters } from "../src/usage/replay-dead-letters.ts";

const config = loadConfigOrExit(
  z.object({
    REDIS_URL: redisUrlVar(),
    REPLAY_LIMIT: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).default(10_000),
  }),
  process.env,
);
const redis = new Redis(config.REDIS_URL);
try {
  const waiting = await redis.llen(defaultUsageStreamKeys.deadLetter);
  const replayed = await replayDeadLetters(redis, defaultUsageStreamKeys, config.REPLAY_LIMIT);
  console.log(`replayed ${replayed} of ${waiting} dead-lettered usage entries onto ${defaultUsageStreamKeys.stream}`);
} finally {
  await redis.quit();
}
