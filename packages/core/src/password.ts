import { type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";

/** Shortest password `createUser` accepts. */
export const minPasswordLength = 12;

// OWASP's argon2id recommendation (m=19 MiB, t=2, p=1). The parameters are stored in each hash, so
// raising them later leaves old hashes verifiable and `passwordNeedsRehash` flags them.
// `Algorithm.Argon2id` of @node-rs/argon2; its enum is ambient `const`, which isolated modules cannot read.
const argon2idAlgorithm = 2;
const argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const argon2Prefix = "$argon2id$v=19$";
// Bounds for parameters read back from a stored argon2 hash, for the same reason as scrypt's below.
const maxArgon2MemoryKib = 262_144;
const maxArgon2TimeCost = 16;
// Bounds for parameters read back from a stored hash, so a corrupted row cannot make one login
// allocate gigabytes (scrypt needs 128·N·r bytes) or run for minutes.
const maxMemoryBytes = 2 ** 28;
const maxParallelization = 16;

function deriveKey(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryLimit(n: number, r: number): number {
  return 128 * n * r + 32 * 1024 * 1024;
}

// NFKC so the same password typed on different keyboards (composed or decomposed accents) matches.
function normalize(password: string): string {
  return password.normalize("NFKC");
}

/**
 * Hashes a password with argon2id; returns the PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
 * Length is the caller's check.
 */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(normalize(password), { ...argon2Params, algorithm: argon2idAlgorithm });
}

function argon2Parameters(stored: string): { m: number; t: number; p: number } | null {
  const match =
    /^\$argon2id\$v=19\$m=([0-9]{1,7}),t=([0-9]{1,3}),p=([0-9]{1,3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]{22,}$/.exec(stored);
  if (!match) return null;
  return { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) };
}

/**
 * Whether a stored hash should be replaced by a fresh `hashPassword` after a successful sign-in: true
 * for scrypt hashes (the previous scheme) and argon2id hashes weaker than today's parameters.
 */
export function passwordNeedsRehash(stored: string): boolean {
  const params = argon2Parameters(stored);
  if (!params) return true;
  return params.m < argon2Params.memoryCost || params.t < argon2Params.timeCost || params.p < argon2Params.parallelism;
}

/**
 * Whether `password` matches a stored hash: argon2id from `hashPassword`, or scrypt
 * (`scrypt$N$r$p$saltB64$hashB64`) from earlier releases, compared in constant time. A stored value that
 * is neither well-formed (or asks for absurd parameters) never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith(argon2Prefix)) {
    const params = argon2Parameters(stored);
    if (!params || params.m > maxArgon2MemoryKib || params.t > maxArgon2TimeCost || params.p < 1) return false;
    return argon2Verify(stored, normalize(password)).catch(() => false);
  }
  return verifyScryptPassword(password, stored);
}

async function verifyScryptPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map((part) => (/^[1-9][0-9]{0,9}$/.test(part) ? Number(part) : Number.NaN));
  if (n === undefined || r === undefined || p === undefined) return false;
  if (!(n >= 2 && Number.isInteger(Math.log2(n)) && r >= 1 && 128 * n * r <= maxMemoryBytes)) return false;
  if (!(p >= 1 && p <= maxParallelization)) return false;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const expected = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await deriveKey(normalize(password), salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: memoryLimit(n, r),
  });
  return timingSafeEqual(actual, expected);
}
