import { describe, expect, it } from "vitest";
import { hashPassword, passwordNeedsRehash, verifyPassword } from "./password.ts";

// A scrypt hash as earlier releases stored them: N=16, r=1, p=1, salt "salt", computed with
// node:crypto scryptSync("password12345", "salt", 32, ...).
async function legacyScryptHash(password: string): Promise<string> {
  const { scryptSync } = await import("node:crypto");
  const key = scryptSync(password, "salt", 32, { N: 16, r: 1, p: 1 }).toString("base64");
  return `scrypt$16$1$1$${Buffer.from("salt").toString("base64")}$${key}`;
}

describe("hashPassword / verifyPassword", () => {
  it("produces an argon2id PHC string with OWASP parameters and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
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

  it("still verifies scrypt hashes of earlier releases, with the parameters read from the stored value", async () => {
    const stored = await legacyScryptHash("password12345");
    expect(await verifyPassword("password12345", stored)).toBe(true);
    expect(await verifyPassword("password12346", stored)).toBe(false);
  });

  it("asks for a rehash of scrypt and weaker argon2id hashes only", async () => {
    expect(passwordNeedsRehash(await legacyScryptHash("password12345"))).toBe(true);
    expect(passwordNeedsRehash(await hashPassword("correct horse battery"))).toBe(false);
    const weaker = (await hashPassword("correct horse battery")).replace("m=19456,t=2", "m=4096,t=2");
    expect(passwordNeedsRehash(weaker)).toBe(true);
  });

  it("never matches a malformed or hostile stored value", async () => {
    const good = await legacyScryptHash("correct horse battery");
    const [, , , , salt, hash] = good.split("$");
    const argon = await hashPassword("correct horse battery");
    for (const stored of [
      "",
      "plain-text-password",
      good.replace(/^scrypt/, "bcrypt"),
      argon.replace("$argon2id$", "$argon2i$"),
      argon.replace("m=19456", "m=9999999"), // would allocate 10 GiB
      argon.slice(0, -10),
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
