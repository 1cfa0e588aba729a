import { createDb, randomBase32 } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import type { Account, Profile, User } from "next-auth";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { WebConfig } from "../env";
import { createWebFixture, testKeyPepper } from "../testing/web-fixture";
import { buildAuthOptions, oidcProviderId } from "./auth-options";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"), { lazyConnect: true });
afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

const config = {
  perimeterSecret: "s".repeat(32),
  webPublicUrl: "https://perimeter.example",
  oidc: {
    issuer: "https://idp.example",
    clientId: "perimeter",
    clientSecret: "secret",
    allowedDomains: ["corp.example"],
    displayName: "Corp SSO",
  },
} as WebConfig;

// What next-auth hands the signIn callback after it verified the identity provider's ID token.
async function ssoSignIn(email: string, extra: Record<string, unknown> = {}) {
  const options = buildAuthOptions({ db, redis, keyPepper: testKeyPepper, log: silentLogger }, config, true);
  const user: User = { id: "idp-subject" };
  const account = { provider: oidcProviderId, type: "oauth", providerAccountId: "idp-subject" } as Account;
  const profile = { email, email_verified: true, ...extra } as Profile;
  const answer = await options.callbacks?.signIn?.({ user, account, profile });
  return { answer, user, options };
}

describe("OIDC sign-in", () => {
  it("admits an allowed domain, names our user in the session token, and records the sign-in", async () => {
    await createWebFixture(db);
    const email = `sso-${randomBase32(6)}@corp.example`;
    const { answer, user, options } = await ssoSignIn(email);
    expect(answer).toBe(true);
    const row = await db.user.findFirstOrThrow({ where: { email } });
    expect(user.id).toBe(row.id);
    const token = await options.callbacks?.jwt?.({ token: {}, user, account: null, trigger: "signIn" } as never);
    expect(token).toMatchObject({ uid: row.id });
    expect(await db.auditEvent.count({ where: { actorId: row.id, action: "user.sign_in" } })).toBe(1);
    expect(options.useSecureCookies).toBe(true);
  });

  it("sends uninvited and unverified people back to the sign-in page with a reason", async () => {
    expect((await ssoSignIn(`x-${randomBase32(6)}@elsewhere.example`)).answer).toBe("/sign-in?error=NotInvited");
    expect((await ssoSignIn(`y-${randomBase32(6)}@corp.example`, { email_verified: false })).answer).toBe(
      "/sign-in?error=EmailNotVerified",
    );
  });

  it("redirects only to its own origin", async () => {
    const { options } = await ssoSignIn(`z-${randomBase32(6)}@corp.example`);
    const redirect = (url: string) => options.callbacks?.redirect?.({ url, baseUrl: "https://perimeter.example" });
    expect(await redirect("/keys")).toBe("https://perimeter.example/keys");
    expect(await redirect("https://evil.example/phish")).toBe("https://perimeter.example");
    expect(await redirect("//evil.example")).toBe("https://perimeter.example");
  });
});
