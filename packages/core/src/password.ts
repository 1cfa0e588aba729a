import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/** Shortest password `createUser` accepts. */
export const minPasswordLength = 12;

// OWASP's scrypt recommendation (N=2^17, r=8, p=1): about 128 MiB and a few hundred milliseconds per
// hash. The parameters are stored in each hash, so raising them later leaves old hashes verifiable.
const cost = 2 ** 17;
const blockSize = 8;
const parallelization = 1;
const saltBytes = 16;
const keyBytes = 32;
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

/** Hashes a password with scrypt; returns `scrypt$N$r$p$saltB64$hashB64`. Length is the caller's check. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await deriveKey(normalize(password), salt, keyBytes, {
    N: cost,
    r: blockSize,
    p: parallelization,
    maxmem: memoryLimit(cost, blockSize),
  });
  return ["scrypt", cost, blockSize, parallelization, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * Whether `password` matches a hash from `hashPassword`, compared in constant time. A stored value that
 * is not a well-formed scrypt hash (or asks for absurd parameters) never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
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
