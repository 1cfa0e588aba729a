import { randomBytes } from "node:crypto";
import { deriveKeyPepper, hashApiKey, type KeyPrincipal } from "@perimeter/core";
import { randomBase32 } from "@perimeter/db";
import { describe, expect, it } from "vitest";
import { KeyCache } from "../auth/key-cache.ts";
import { authenticate } from "./authenticate.ts";

const keyPepper = deriveKeyPepper(randomBytes(32).toString("base64url"));

/** A token in the keys' format (`sk-prm-<public id>-<secret>`). */
function mintApiKey() {
  const publicId = randomBase32(12);
  return { publicId, token: `sk-prm-${publicId}-${randomBytes(32).toString("base64url")}` };
}

function principalFor(token: string, publicId: string, extra: Partial<KeyPrincipal> = {}): KeyPrincipal {
  return {
    keyId: `key_${publicId}`,
    publicId,
    hash: hashApiKey(keyPepper, token),
    orgId: "org_1",
    teamId: "team_1",
    scope: "inference",
    ownerUserId: null,
    expiresAt: null,
    revokedAt: null,
    ownerDisabled: false,
    teamArchived: false,
    memberId: null,
    org: { timeZone: "UTC", weekStartsOn: 1 },
    policies: { key: null, member: null, team: null },
    vision: { policies: [], orgVisionModels: [] },
    disabledModels: [],
    ...extra,
  };
}

/** A key cache over an in-memory table; `rows` may be changed and the cache cleared, as a change event does. */
function cacheOver(rows: Map<string, KeyPrincipal>) {
  return new KeyCache(async (publicId) => rows.get(publicId), { ttlMs: 30_000, negativeTtlMs: 1_000, maxEntries: 100 });
}

describe("authenticate", () => {
  it("accepts the key's own token again and again, and refuses a forged secret under its public id every time", async () => {
    const key = mintApiKey();
    const rows = new Map([[key.publicId, principalFor(key.token, key.publicId)]]);
    const keys = cacheOver(rows);
    const forged = `${key.token.slice(0, -43)}${randomBytes(32).toString("base64url")}`;
    // Before and after the first verification: the fast path must not change any answer.
    expect(await authenticate({ keys, keyPepper }, { "x-api-key": forged })).toMatchObject({ ok: false, status: 401 });
    for (let i = 0; i < 3; i++) {
      expect(await authenticate({ keys, keyPepper }, { "x-api-key": key.token })).toMatchObject({ ok: true });
      expect(await authenticate({ keys, keyPepper }, { "x-api-key": forged })).toMatchObject({
        ok: false,
        status: 401,
        message: "invalid API key",
      });
    }
    // A stale bad token in one header does not shadow the good one in the other.
    expect(
      await authenticate({ keys, keyPepper }, { "x-api-key": forged, authorization: `Bearer ${key.token}` }),
    ).toMatchObject({ ok: true });
  });

  it("checks a reloaded key afresh: a revocation is seen although the token verified before", async () => {
    const key = mintApiKey();
    const rows = new Map([[key.publicId, principalFor(key.token, key.publicId)]]);
    const keys = cacheOver(rows);
    expect(await authenticate({ keys, keyPepper }, { "x-api-key": key.token })).toMatchObject({ ok: true });
    rows.set(key.publicId, principalFor(key.token, key.publicId, { revokedAt: new Date() }));
    keys.clear();
    expect(await authenticate({ keys, keyPepper }, { "x-api-key": key.token })).toMatchObject({
      ok: false,
      status: 401,
      message: "API key has been revoked",
    });
  });

  it("refuses a token whose stored hash was made with another pepper", async () => {
    const key = mintApiKey();
    const other = deriveKeyPepper(randomBytes(32).toString("base64url"));
    const rows = new Map([
      [key.publicId, { ...principalFor(key.token, key.publicId), hash: hashApiKey(other, key.token) }],
    ]);
    const keys = cacheOver(rows);
    for (let i = 0; i < 2; i++) {
      expect(await authenticate({ keys, keyPepper }, { "x-api-key": key.token })).toMatchObject({
        ok: false,
        status: 401,
      });
    }
  });
});
