import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

describe("hashPassword / verifyPassword", () => {
  it("produces scrypt$N$r$p$salt$hash and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same password!"), hashPassword("same password!")]);
    expect(a).not.toBe(b);
  });

  it("treats composed and decomposed accents as the same password", async () => {
    const stored = await hashPassword("mot de passe é\u00e9");
    expect(await verifyPassword("mot de passe e\u0301e\u0301", stored)).toBe(true);
  });

  it("verifies hashes made with other parameters, which are read from the stored value", async () => {
    // N=16, r=1, p=1, salt "salt", computed with node:crypto scryptSync("password12345", "salt", 32, ...).
    const { scryptSync } = await import("node:crypto");
    const key = scryptSync("password12345", "salt", 32, { N: 16, r: 1, p: 1 }).toString("base64");
    const stored = `scrypt$16$1$1$${Buffer.from("salt").toString("base64")}$${key}`;
    expect(await verifyPassword("password12345", stored)).toBe(true);
  });

  it("never matches a malformed or hostile stored value", async () => {
    const good = await hashPassword("correct horse battery");
    const [, , , , salt, hash] = good.split("$");
    for (const stored of [
      "",
      "plain-text-password",
      good.replace(/^scrypt/, "bcrypt"),
      `scrypt$131072$8$1$${salt}`,
      `scrypt$100$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 20}$32$1$${salt}$${hash}`, // would allocate 4 GiB
      `scrypt$131072$8$1$$${hash}`,
      `scrypt$131072$8$1$${salt}$AAAA`,
    ]) {
      expect(await verifyPassword("correct horse battery", stored), stored).toBe(false);
    }
  });
});
