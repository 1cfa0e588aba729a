import { appendUsageEvent, encodeUsageEvent, type UsageDeadLetter, usageConsumerGroup } from "@perimeter/core";
import type { ScratchDatabase } from "@perimeter/db/scratch-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createMigratedScratchDatabase, fakeUsageEvent, testOrgId } from "../test-usage-events.ts";
import { replayDeadLetters } from "./replay-dead-letters.ts";
import { startUsageConsumer, type UsageConsumerOptions } from "./usage-consumer.ts";

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("usage consumer", () => {
  let scratch: ScratchDatabase;
  let services: WorkerServices;
  let options: UsageConsumerOptions;

  const rowCount = async (orgId: string) => services.db.usageEvent.count({ where: { orgId } });
  const deadLetters = async () =>
    (await services.redis.lrange(services.usageKeys.deadLetter, 0, -1)).map(
      (line) => JSON.parse(line) as UsageDeadLetter,
    );

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase();
    services = createTestServices(scratch.url);
    options = { keys: services.usageKeys, batchSize: 50, blockMs: 100, claimIdleMs: 60_000 };
    // Stands for any row Postgres itself refuses, which the schema cannot foresee.
    await services.db.$executeRawUnsafe(
      `ALTER TABLE usage_events ADD CONSTRAINT test_refused_model CHECK (model <> 'refused-by-postgres')`,
    );
  });

  afterAll(async () => {
    await services.redis.del(services.usageKeys.stream, services.usageKeys.deadLetter);
    await closeServices(services);
    await scratch.drop();
  });

  it("ingests every valid event once, dead-letters the rest with a reason, and empties the stream", async () => {
    const orgId = testOrgId();
    const events = Array.from({ length: 120 }, () => fakeUsageEvent(orgId));
    const consumer = startUsageConsumer(services, options);
    const { stream } = services.usageKeys;
    for (const [index, event] of events.entries()) {
      await appendUsageEvent(services.redis, event, services.usageKeys);
      if (index === 10) await appendUsageEvent(services.redis, event, services.usageKeys); // a redelivery
      if (index === 20) await services.redis.xadd(stream, "*", "v", "1", "e", "{broken");
      if (index === 30) await services.redis.xadd(stream, "*", "v", "9", "e", "{}");
      if (index === 40) await appendUsageEvent(services.redis, { ...event, requestId: "nope" }, services.usageKeys);
      if (index === 50)
        await appendUsageEvent(
          services.redis,
          fakeUsageEvent(orgId, { model: "refused-by-postgres" }),
          services.usageKeys,
        );
    }
    await waitFor(
      "the stream to drain",
      () => services.redis.xlen(stream),
      (length) => length === 0,
    );
    await consumer.close();

    expect(await rowCount(orgId)).toBe(120);
    const letters = await deadLetters();
    expect(letters.map((letter) => letter.code).sort()).toEqual([
      "INSERT_FAILED",
      "INVALID_EVENT",
      "MALFORMED_JSON",
      "UNKNOWN_VERSION",
    ]);
    const refused = letters.find((letter) => letter.code === "INSERT_FAILED");
    expect(refused?.error).toContain("test_refused_model");
    // The raw fields are kept so the entry can be repaired and added again.
    expect(letters.find((letter) => letter.code === "INVALID_EVENT")?.fields[3]).toContain('"requestId":"nope"');
    expect(await services.redis.xpending(stream, usageConsumerGroup)).toEqual([0, null, null, null]);
    expect(await services.metrics.usageDuplicatesSkipped.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it("claims and ingests entries a consumer read but died before acknowledging", async () => {
    const orgId = testOrgId();
    const { stream } = services.usageKeys;
    // Make sure the group exists before the doomed consumer reads from it.
    const first = startUsageConsumer(services, options);
    await first.started;
    await first.close();

    const events = Array.from({ length: 30 }, () => fakeUsageEvent(orgId));
    for (const event of events) await services.redis.xadd(stream, "*", ...encodeUsageEvent(event));
    const delivered = await services.redis.xreadgroup(
      "GROUP",
      usageConsumerGroup,
      "doomed",
      "COUNT",
      100,
      "STREAMS",
      stream,
      ">",
    );
    expect(delivered).not.toBeNull();
    expect((await services.redis.xpending(stream, usageConsumerGroup))[0]).toBe(30);

    const rescuer = startUsageConsumer(services, { ...options, claimIdleMs: 200 });
    await waitFor(
      "the claimed rows",
      () => rowCount(orgId),
      (count) => count === 30,
    );
    await waitFor(
      "the stream to drain",
      () => services.redis.xlen(stream),
      (length) => length === 0,
    );
    await rescuer.close();
    expect(await services.redis.xpending(stream, usageConsumerGroup)).toEqual([0, null, null, null]);
  });

  it("keeps a batch pending while Postgres refuses connections, and ingests it once it is back", async () => {
    const orgId = testOrgId();
    const { stream } = services.usageKeys;
    await services.db.$executeRawUnsafe(`ALTER TABLE usage_events RENAME TO usage_events_away`);
    const consumer = startUsageConsumer(services, options);
    for (let i = 0; i < 5; i++) await appendUsageEvent(services.redis, fakeUsageEvent(orgId), services.usageKeys);
    await waitFor(
      "a failed attempt",
      () => services.metrics.usageBatchFailures.get(),
      (metric) => (metric.values[0]?.value ?? 0) > 0,
    );
    expect(await services.redis.xlen(stream)).toBe(5);
    await services.db.$executeRawUnsafe(`ALTER TABLE usage_events_away RENAME TO usage_events`);
    await waitFor(
      "the stream to drain",
      () => services.redis.xlen(stream),
      (length) => length === 0,
    );
    await consumer.close();
    expect(await rowCount(orgId)).toBe(5);
  });

  it("ingests dead letters replayed once their cause is fixed", async () => {
    const orgId = testOrgId();
    const { stream, deadLetter } = services.usageKeys;
    await services.redis.del(deadLetter);
    await services.db.$executeRawUnsafe(
      `ALTER TABLE usage_events ADD CONSTRAINT test_refused_org CHECK (org_id <> '${orgId}')`,
    );
    const consumer = startUsageConsumer(services, options);
    for (let i = 0; i < 3; i++) await appendUsageEvent(services.redis, fakeUsageEvent(orgId), services.usageKeys);
    await waitFor(
      "the dead letters",
      () => services.redis.llen(deadLetter),
      (length) => length === 3,
    );
    expect(await rowCount(orgId)).toBe(0);

    await services.db.$executeRawUnsafe("ALTER TABLE usage_events DROP CONSTRAINT test_refused_org");
    expect(await replayDeadLetters(services.redis, services.usageKeys, 2)).toBe(2);
    expect(await services.redis.llen(deadLetter)).toBe(1);
    expect(await replayDeadLetters(services.redis, services.usageKeys, 10)).toBe(1);
    await waitFor(
      "the replayed rows",
      () => rowCount(orgId),
      (count) => count === 3,
    );
    await waitFor(
      "the stream to drain",
      () => services.redis.xlen(stream),
      (length) => length === 0,
    );
    await consumer.close();
    expect(await services.redis.llen(deadLetter)).toBe(0);
  });
});
