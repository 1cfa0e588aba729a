import { describe, expect, it } from "vitest";
import { mintApiKey } from "./mint-api-key.ts";
import { parseApiKey } from "./parse-api-key.ts";

const secret = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123_-x";

describe("parseApiKey", () => {
  it("splits a well-formed token into public id and secret", () => {
    expect(secret).toHaveLength(43);
    expect(parseApiKey(`sk-prm-0123456789ab-${secret}`)).toEqual({ ok: true, publicId: "0123456789ab", secret });
  });

  it("accepts every minted token", () => {
    for (let i = 0; i < 200; i++) {
      const minted = mintApiKey();
      expect(parseApiKey(minted.token)).toMatchObject({ ok: true, publicId: minted.publicId });
    }
  });

  it.each([
    ["wrong prefix", `sk-ant-0123456789ab-${secret}`],
    ["upper-case prefix", `SK-PRM-0123456789ab-${secret}`],
    ["id with a letter outside the alphabet (i)", `sk-prm-0123456789ai-${secret}`],
    ["id with a letter outside the alphabet (u)", `sk-prm-0123456789au-${secret}`],
    ["upper-case id", `sk-prm-0123456789AB-${secret}`],
    ["short id", `sk-prm-0123456789a-${secret}x`],
    ["short secret", `sk-prm-0123456789ab-${secret.slice(1)}`],
    ["long secret", `sk-prm-0123456789ab-${secret}x`],
    ["secret with a non-base64url character", `sk-prm-0123456789ab-${secret.slice(1)}+`],
    ["padding", `sk-prm-0123456789ab-${secret.slice(1)}=`],
    ["surrounding space", ` sk-prm-0123456789ab-${secret}`],
    ["empty", ""],
  ])("rejects %s", (_case, token) => {
    expect(parseApiKey(token)).toEqual({ ok: false, code: "MALFORMED" });
  });

  it("rejects non-strings", () => {
    for (const token of [undefined, null, 42, {}, ["sk-prm-"]]) {
      expect(parseApiKey(token)).toEqual({ ok: false, code: "MALFORMED" });
    }
  });
});
