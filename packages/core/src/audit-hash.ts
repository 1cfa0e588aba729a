import { createHash } from "node:crypto";

/** A value JSON can represent exactly; what audit `before`/`after` hold after `redactSecrets`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `prevHash` of the first event of an organization's chain. */
export const genesisPrevHash = "0".repeat(64);

/** The audit-event fields the hash covers, in the form they are stored. */
export interface AuditHashInput {
  orgId: string;
  seq: bigint;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  teamId: string | null;
  before: JsonValue;
  after: JsonValue;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Serialises JSON with object keys sorted recursively (by UTF-16 code units) and no whitespace, so a
 * value read back from a jsonb column, whose key order Postgres does not keep, serialises to the same
 * bytes as when it was written. Throws on anything JSON cannot represent exactly (Date, bigint,
 * NaN, Infinity, class instances) rather than silently changing it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
      if (!isPlainObject(value)) throw new TypeError("canonicalJson: only plain objects and arrays are allowed");
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

/**
 * SHA-256 (hex) of the canonical JSON of an audit event, `seq` written as a decimal string and
 * `occurredAt` as ISO-8601. `prevHash` is inside the hashed object, which chains each event to the
 * one before it: changing or removing any earlier event changes every later hash.
 */
export function computeAuditHash(event: AuditHashInput): string {
  const canonical = canonicalJson({
    orgId: event.orgId,
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    teamId: event.teamId,
    before: event.before,
    after: event.after,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    prevHash: event.prevHash,
  });
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
