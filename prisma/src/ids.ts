import { randomBytes } from "node:crypto";

/** Prefixes of every kind of id the product mints; one place so they never collide. */
export const idPrefixes = {
  org: "org",
  user: "usr",
  team: "team",
  member: "mem",
  apiKey: "key",
  limitPolicy: "lim",
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

function encodeBase32(value: bigint, length: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = alphabet[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/** `length` random base32 characters (5 bits of entropy each). */
export function randomBase32(length: number): string {
  const bytes = randomBytes(Math.ceil((length * 5) / 8) + 1);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return encodeBase32(value, length);
}

/**
 * Mints `<prefix>_<26 chars>`: 10 characters of millisecond timestamp then 16 random characters
 * (80 bits), so ids sort by creation time and never need a database round trip.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${idPrefixes[kind]}_${encodeBase32(BigInt(nowMs), 10)}${randomBase32(16)}`;
}

/** The creation time embedded in an id minted by `newId`. */
export function idTimestampMs(id: string): number {
  const body = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 11);
  let value = 0;
  for (const char of body) value = value * 32 + alphabet.indexOf(char);
  return value;
}
