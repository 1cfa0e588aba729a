import { describe, expect, it } from "vitest";
import { mintApiKey } from "./mint-api-key.ts";

describe("mintApiKey", () => {
  it("mints sk-prm-<12 base32>-<43 base64url> with matching last4, never twice the same", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const minted = mintApiKey();
      expect(minted.token).toMatch(/^sk-prm-[0-9a-hjkmnp-tv-z]{12}-[A-Za-z0-9_-]{43}$/);
      expect(minted.token.startsWith(`sk-prm-${minted.publicId}-`)).toBe(true);
      expect(minted.last4).toBe(minted.token.slice(-4));
      seen.add(minted.token);
    }
    expect(seen.size).toBe(1000);
  });
});
