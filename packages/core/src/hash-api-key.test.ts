import { describe, expect, it } from "vitest";
import { hashApiKey } from "./hash-api-key.ts";

describe("hashApiKey", () => {
  it("is the hex HMAC-SHA256 of the whole token under the pepper (golden value from openssl)", () => {
    const pepper = Buffer.from("86826e9b6c58b8a32c833ea9da686844e54e5cf621c390b242ad0c2c647800b3", "hex");
    const token = `sk-prm-0123456789ab-${"A".repeat(43)}`;
    expect(hashApiKey(pepper, token)).toBe("bb7197ef1e6b2bba112f74cc45b9e9e0d7318735ed9602efbe91fe97e91dbee8");
  });
});
