import { createDb, type Db } from "@perimeter/db";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CoreContext } from "./context.ts";
import { createApiKey } from "./create-api-key.ts";
import { changeChannel } from "./publish-change.ts";
import { removeMember } from "./remove-member.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { rotateApiKey } from "./rotate-api-key.ts";
import { setLimits } from "./set-limits.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateOrganization } from "./update-organization.ts";
import { updateUser } from "./update-user.ts";

let db: Db;

beforeAll(() => {
  db = createDb(inject("databaseUrl"), { maxConnections: 2 });
});

afterAll(async () => {
  await db.$disconnect();
});

/** A context whose publisher records each message with what a fresh reader saw of the key at that moment. */
async function recordingContext() {
  const tenant = await createTestTenant(db);
  const messages: { channel: string; event: unknown; keyRevoked?: boolean }[] = [];
  let watchedKey: string | undefined;
  const ctx: CoreContext = {
    ...tenant.ctx,
    changes: {
      async publish(channel, message) {
        const key = watchedKey ? await db.apiKey.findUnique({ where: { id: watchedKey } }) : null;
        messages.push({ channel, event: JSON.parse(message), ...(key ? { keyRevoked: key.revokedAt !== null } : {}) });
      },
    },
  };
  const team = await createTestTeam(ctx);
  const key = await createApiKey(ctx, { teamId: team.team.id, ownerUserId: team.developer.id, name: "k" });
  if (!key.ok) throw new Error(key.code);
  return { ctx, team, key: key.key, messages, watch: (id: string) => (watchedKey = id) };
}

describe("verbs announce what gateways cache", () => {
  it("revokeApiKey publishes after its commit: a reader already sees the key revoked", async () => {
    const { ctx, key, messages, watch } = await recordingContext();
    watch(key.id);
    await revokeApiKey(ctx, { keyId: key.id });
    expect(messages).toEqual([{ channel: changeChannel, event: { entity: "api_key", id: key.id }, keyRevoked: true }]);
  });

  it("rotateApiKey announces the old key, setLimits the policy's target", async () => {
    const { ctx, key, team, messages } = await recordingContext();
    await rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: 60 });
    await setLimits(ctx, { target: { type: "team", teamId: team.team.id }, limits: { requestsPerMinute: 1 } });
    await setLimits(ctx, { target: { type: "member", memberId: team.member.id }, limits: { requestsPerMinute: 1 } });
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.id }, limits: { requestsPerMinute: 1 } });
    await setLimits(ctx, { target: { type: "org" }, limits: { requestsPerMinute: 1 } });
    expect(messages.map((message) => message.event)).toEqual([
      { entity: "api_key", id: key.id },
      { entity: "team", id: team.team.id },
      { entity: "member", id: team.member.id },
      { entity: "api_key", id: key.id },
      { entity: "org", id: ctx.orgId },
    ]);
  });

  it("removing a member, disabling a user and changing the budget calendar are announced", async () => {
    const { ctx, team, messages } = await recordingContext();
    await updateOrganization(ctx, { timeZone: "Europe/Paris" });
    await updateUser(ctx, { userId: team.developer.id, status: "disabled" });
    await removeMember(ctx, { memberId: team.member.id });
    expect(messages.map((message) => message.event)).toEqual([
      { entity: "org", id: ctx.orgId },
      { entity: "user", id: team.developer.id },
      { entity: "member", id: team.member.id },
    ]);
  });

  it("announces nothing when nothing changed, and a failing publisher never fails the verb", async () => {
    const { ctx, key, messages } = await recordingContext();
    await revokeApiKey(ctx, { keyId: key.id });
    await revokeApiKey(ctx, { keyId: key.id });
    expect(messages).toHaveLength(1);
    const broken: CoreContext = { ...ctx, changes: { publish: () => Promise.reject(new Error("redis down")) } };
    await expect(updateOrganization(broken, { timeZone: "Asia/Tokyo" })).resolves.toMatchObject({ ok: true });
  });
});
