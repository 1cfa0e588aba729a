import type { KeyPrincipal } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { testPrincipal } from "../testing/test-principal.ts";
import { KeyCache } from "./key-cache.ts";

function principal(publicId: string, extra: Partial<KeyPrincipal> = {}): KeyPrincipal {
  return testPrincipal({ keyId: `key_${publicId}`, publicId, ...extra });
}

function cacheWith(known: Record<string, KeyPrincipal>, clock = { now: 0 }) {
  const loads: string[] = [];
  const cache = new KeyCache(
    async (publicId) => {
      loads.push(publicId);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return known[publicId];
    },
    { ttlMs: 1000, negativeTtlMs: 100, maxEntries: 3, now: () => clock.now },
  );
  return { cache, loads, clock };
}

describe("KeyCache", () => {
  it("loads a key once, however many requests ask at the same time, and until the TTL passes", async () => {
    const { cache, loads, clock } = cacheWith({ a: principal("a") });
    const all = await Promise.all([cache.get("a"), cache.get("a"), cache.get("a")]);
    expect(all.every((p) => p?.publicId === "a")).toBe(true);
    expect(loads).toEqual(["a"]);
    clock.now = 999;
    await cache.get("a");
    expect(loads).toEqual(["a"]);
    clock.now = 1000;
    await cache.get("a");
    expect(loads).toEqual(["a", "a"]);
  });

  it("remembers an unknown key only briefly", async () => {
    const { cache, loads, clock } = cacheWith({});
    expect(await cache.get("x")).toBeUndefined();
    await cache.get("x");
    clock.now = 100;
    await cache.get("x");
    expect(loads).toEqual(["x", "x"]);
  });

  it("evicts what a change concerns: the key, its team, member, owner or organization", async () => {
    for (const event of [
      { entity: "api_key", id: "key_a" },
      { entity: "team", id: "team_1" },
      { entity: "member", id: "mem_1" },
      { entity: "user", id: "usr_1" },
      { entity: "org", id: "org_1" },
    ] as const) {
      const { cache, loads } = cacheWith({
        a: principal("a"),
        b: principal("b", {
          teamId: "team_2",
          memberId: "mem_2",
          ownerUserId: "usr_2",
          keyId: "key_b",
          orgId: "org_2",
        }),
      });
      await cache.get("a");
      await cache.get("b");
      cache.evict(event);
      await cache.get("a");
      await cache.get("b");
      expect(loads).toEqual(["a", "b", "a"]);
    }
  });

  it("does not keep what a load read if a change came while it was loading", async () => {
    const { cache, loads } = cacheWith({ a: principal("a") });
    const loading = cache.get("a");
    cache.evict({ entity: "api_key", id: "key_a" });
    await loading;
    await cache.get("a");
    expect(loads).toEqual(["a", "a"]);
  });

  it("stays within its bound, dropping the oldest entry", async () => {
    const { cache } = cacheWith({ a: principal("a"), b: principal("b"), c: principal("c"), d: principal("d") });
    for (const id of ["a", "b", "c", "d"]) await cache.get(id);
    expect(cache.size).toBe(3);
  });
});
