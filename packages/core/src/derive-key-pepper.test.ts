import { describe, expect, it } from "vitest";
import { deriveKeyPepper } from "./derive-key-pepper.ts";

describe("deriveKeyPepper", () => {
  it("is HMAC-SHA256(secret, 'perimeter/api-key-pepper/v1') (golden value from openssl)", () => {
    const pepper = deriveKeyPepper("correct horse battery staple");
    expect(pepper).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(pepper).toString("hex")).toBe(
      "86826e9b6c58b8a32c833ea9da686844e54e5cf621c390b242ad0c2c647800b3",
    );
  });

  it("differs per secret and is stable per secret", () => {
    expect(deriveKeyPepper("a")).toEqual(deriveKeyPepper("a"));
    expect(deriveKeyPepper("a")).not.toEqual(deriveKeyPepper("b"));
  });

  it("refuses an empty secret", () => {
    expect(() => deriveKeyPepper("")).toThrow(/must not be empty/);
  });
});
