import { randomBytes } from "node:crypto";
import type { UsageEventMessageInput } from "@perimeter/core";
import { newId } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { inject } from "vitest";

/**
 * A migrated database of the test's own, for jobs that act on every organization (rollups,
 * retention) or that a test alters (constraints, triggers). Test-only; the caller drops it.
 */
export async function createMigratedScratchDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase(inject("postgresServerUrl"), "perimeter_worker_test");
  await migrate(scratch.url);
  return scratch;
}

/** A unique organization id for rows a test writes without creating the organization. */
export function testOrgId(): string {
  return `org_test${randomBytes(8).toString("hex")}`;
}

/** A plausible finished request for `orgId`, with a fresh request id; `overrides` win. Test-only. */
export function fakeUsageEvent(
  orgId: string,
  overrides: Partial<UsageEventMessageInput> = {},
): UsageEventMessageInput & { requestId: string } {
  const eventTime = overrides.eventTime ?? new Date();
  return {
    requestId: newId("request"),
    orgId,
    apiKeyId: "key_a",
    teamId: "team_a",
    userId: "usr_a",
    model: "umans-coder-v0",
    status: 200,
    inputTokens: 10,
    cacheReadInputTokens: 100,
    outputTokens: 20,
    reasoningTokens: 5,
    latencyMs: 300,
    startedAt: new Date(new Date(eventTime).getTime() - 300),
    eventTime,
    ...overrides,
  } as UsageEventMessageInput & { requestId: string };
}
