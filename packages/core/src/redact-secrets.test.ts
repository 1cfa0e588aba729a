import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact-secrets.ts";

describe("redactSecrets", () => {
  it("drops secret-named keys at any depth, whatever their spelling", () => {
    const input = {
      id: "key_1",
      hash: "abc",
      passwordHash: "scrypt$…",
      password_hash: "x",
      password: "hunter2hunter2",
      secret: "s",
      token: "t",
      keyPepper: "p",
      apiKey: "k",
      nested: { clientSecret: "c", accessToken: "a", list: [{ Authorization: "Bearer x", keep: 1 }] },
    };
    expect(redactSecrets(input)).toEqual({ id: "key_1", nested: { list: [{ keep: 1 }] } });
  });

  it("keeps limit fields whose names merely contain 'token'", () => {
    const limits = { inputTokensPerDay: 5, maxTokensCap: 100, tokenizerMode: "auto", apiKeyId: "key_1" };
    expect(redactSecrets(limits)).toEqual(limits);
  });

  it("cuts full API keys found in free text down to their public id", () => {
    const token = `sk-prm-0123456789ab-${"A".repeat(43)}`;
    expect(redactSecrets({ name: `my key ${token}!` })).toEqual({ name: "my key sk-prm-0123456789ab-[REDACTED]!" });
  });

  it("returns JSON-safe values: dates as ISO, bigints as decimal strings, undefined dropped", () => {
    expect(
      redactSecrets({ at: new Date("2026-01-01T00:00:00.000Z"), big: 2n ** 60n, gone: undefined, arr: [undefined] }),
    ).toEqual({ at: "2026-01-01T00:00:00.000Z", big: "1152921504606846976", arr: [null] });
    expect(redactSecrets(undefined)).toBeNull();
  });

  it("does not modify its input and refuses cycles", () => {
    const input = { hash: "h", a: 1 };
    redactSecrets(input);
    expect(input).toEqual({ hash: "h", a: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => redactSecrets(cyclic)).toThrow(/circular/);
  });
});
