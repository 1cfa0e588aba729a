import { randomFillSync } from "node:crypto";

/** Prefixes of every kind of id the product mints; one place so they never collide. */
export const idPrefixes = {
  org: "org",
  user: "usr",
  team: "team",
  member: "mem",
  apiKey: "key",
  limitPolicy: "lim",
  visionPolicy: "vis",
  model: "mdl",
  deployment: "dep",
  replica: "rep",
  request: "req",
  auditEvent: "aud",
  exportJob: "exp",
  invitation: "inv",
} as const;

export type IdKind = keyof typeof idPrefixes;

// Crockford base32, lower-cased: no ambiguous letters, sorts the same as the numbers it encodes.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

/** `value` (a non-negative integer below 2^53) as `length` base32 digits, most significant first. */
function encodeBase32(value: number, length: number): string {
  let out = "";
  let rest = Math.floor(value);
  for (let i = 0; i < length; i++) {
    out = alphabet[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

// Random bytes are drawn from the system in blocks and handed out once each: ids are minted on every
// request, and one system call per id cost more than the rest of minting it.
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

/** `length` random base32 characters (5 bits of entropy each: the low 5 bits of one random byte). */
export function randomBase32(length: number): string {
  let out = "";
  while (out.length < length) {
    if (poolOffset === pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const take = Math.min(length - out.length, pool.length - poolOffset);
    for (let i = 0; i < take; i++) out += alphabet[(pool[poolOffset + i] as number) & 31];
    poolOffset += take;
  }
  return out;
}

/**
 * Mints `<prefix>_<26 chars>`: 10 characters of millisecond timestamp then 16 random characters
 * (80 bits), so ids sort by creation time and never need a database round trip.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${idPrefixes[kind]}_${encodeBase32(nowMs, 10)}${randomBase32(16)}`;
}

/** The creation time embedded in an id minted by `newId`. */
export function idTimestampMs(id: string): number {
  const body = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 11);
  let value = 0;
  for (const char of body) value = value * 32 + alphabet.indexOf(char);
  return value;
}
