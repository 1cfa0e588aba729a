import { z } from "zod";

// The usage stream is the contract between the gateway (producer: one XADD per finished request) and
// the worker (consumer group → Postgres `usage_events`). Everything a producer or consumer needs to
// agree on lives here: key names, entry encoding, the event schema and the poison codes.

/**
 * Redis keys of the usage pipeline. Both keys carry the hash tag `{usage}`, so on Redis Cluster they
 * live in one slot and the worker can dead-letter an entry and acknowledge it in one MULTI.
 */
export interface UsageStreamKeys {
  /** The stream the gateway XADDs to. Producers never trim it; the worker trims what it has acked. */
  stream: string;
  /** A list of entries that could not be ingested, each a JSON `UsageDeadLetter`. */
  deadLetter: string;
}

/** Keys under `namespace`; the default namespace is the one every Perimeter service uses. */
export function usageStreamKeys(namespace = "perimeter"): UsageStreamKeys {
  return { stream: `${namespace}:{usage}:events`, deadLetter: `${namespace}:{usage}:dead-letter` };
}

/** The keys the gateway and worker use in production: `perimeter:{usage}:events` and its dead letters. */
export const defaultUsageStreamKeys: UsageStreamKeys = usageStreamKeys();

/** The worker's consumer group on the stream, created from id 0 so nothing written before it is skipped. */
export const usageConsumerGroup = "usage-ingest";

/**
 * Version of the entry encoding, sent in field `v`. A consumer dead-letters versions it does not know
 * (code UNKNOWN_VERSION) rather than guessing, so entries from a newer gateway wait for a newer worker.
 */
export const usageEventSchemaVersion = "1";

// Postgres `text` cannot hold NUL, and `integer` columns stop at 2^31-1: either would make the insert
// of a whole batch fail, so the schema refuses them up front and such an entry is dead-lettered alone.
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes("\u0000"), "must not contain NUL characters");
const optionalText = (max: number) => text(max).nullish().default(null);
const count = z.int().min(0).max(2_147_483_647);
const timestamp = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), "must be a valid time")
  .transform((value) => value.toISOString());

/**
 * One finished gateway request, field for field the `UsageEvent` model (metadata and counts only,
 * never prompt text). Token counts follow Anthropic's `usage` object: `inputTokens` excludes cache
 * reads, so the total input is `inputTokens + cacheReadInputTokens`. `startedAt`/`eventTime` accept a
 * Date or an ISO-8601 string and come out as ISO-8601 UTC strings. Unknown fields are dropped.
 */
export const usageEventMessageSchema = z.object({
  /** `req_…` from `newId("request")`; the idempotency key of the whole pipeline. */
  requestId: z.string().regex(/^req_[0-9a-z]{26}$/, "must be a req_… id"),
  orgId: text(64).min(1),
  apiKeyId: optionalText(64),
  teamId: optionalText(64),
  userId: optionalText(64),
  sessionId: optionalText(256),
  agentId: optionalText(64),
  model: text(256).min(1),
  servedModel: optionalText(256),
  deploymentId: optionalText(64),
  replicaId: optionalText(64),
  endpoint: text(64).min(1).default("messages"),
  stream: z.boolean().default(false),
  inputTokens: count.default(0),
  cacheReadInputTokens: count.default(0),
  outputTokens: count.default(0),
  reasoningTokens: count.default(0),
  latencyMs: count.default(0),
  timeToFirstTokenMs: count.nullish().default(null),
  /** HTTP status returned to the client. */
  status: z.int().min(100).max(599),
  errorType: optionalText(128),
  stopReason: optionalText(64),
  /** `admitted`, or the name of the limit that denied the request. */
  limitDecision: optionalText(128),
  clientAbort: z.boolean().default(false),
  userAgent: optionalText(1024),
  startedAt: timestamp,
  /** When the request finished; the rollups' bucket time. */
  eventTime: timestamp,
});

/** A validated usage event as the worker ingests it: every field present, times as ISO-8601 strings. */
export type UsageEventMessage = z.output<typeof usageEventMessageSchema>;
/** What a producer passes: optional fields may be left out, times may be Dates. */
export type UsageEventMessageInput = z.input<typeof usageEventMessageSchema>;

/** Why an entry cannot be ingested; it goes to the dead-letter list with this code and a message. */
export type UsageEntryPoisonCode = "UNKNOWN_VERSION" | "MISSING_PAYLOAD" | "MALFORMED_JSON" | "INVALID_EVENT";

export type DecodeUsageEventResult =
  | { ok: true; event: UsageEventMessage }
  | { ok: false; code: UsageEntryPoisonCode; message: string };

/**
 * The field/value pairs of one stream entry: `v` (schema version) and `e` (the event as JSON). One
 * JSON.stringify and no validation, so producing stays cheap on the gateway's hot path; the consumer
 * validates and dead-letters what does not fit, so a producer bug never loses an event.
 */
export function encodeUsageEvent(event: UsageEventMessageInput): [string, string, string, string] {
  return ["v", usageEventSchemaVersion, "e", JSON.stringify(event)];
}

/**
 * Decodes the flat field list of an entry as XREADGROUP returns it (`["v","1","e","{…}"]`). Never
 * throws: an entry that cannot be ingested comes back as `{ ok: false, code, message }`.
 */
export function decodeUsageEvent(fields: readonly string[]): DecodeUsageEventResult {
  let version: string | undefined;
  let payload: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "v") version = fields[i + 1];
    else if (fields[i] === "e") payload = fields[i + 1];
  }
  if (version !== usageEventSchemaVersion) {
    return { ok: false, code: "UNKNOWN_VERSION", message: `schema version ${JSON.stringify(version ?? null)}` };
  }
  if (payload === undefined) return { ok: false, code: "MISSING_PAYLOAD", message: 'no "e" field' };
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch (error) {
    return { ok: false, code: "MALFORMED_JSON", message: (error as Error).message };
  }
  const parsed = usageEventMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "event"}: ${issue.message}`)
      .join("; ");
    return { ok: false, code: "INVALID_EVENT", message };
  }
  return { ok: true, event: parsed.data };
}

/** The one Redis command a producer needs; an ioredis client satisfies it. */
export interface UsageStreamProducer {
  xadd(key: string, id: "*", ...fieldsAndValues: string[]): Promise<string | null>;
}

/**
 * Appends one event to the usage stream and resolves with its entry id. Never trims (no MAXLEN): only
 * the worker removes entries, and only those it has committed and acknowledged.
 */
export async function appendUsageEvent(
  redis: UsageStreamProducer,
  event: UsageEventMessageInput,
  keys: UsageStreamKeys = defaultUsageStreamKeys,
): Promise<string> {
  const id = await redis.xadd(keys.stream, "*", ...encodeUsageEvent(event));
  if (id === null) throw new Error(`XADD to ${keys.stream} returned no id`);
  return id;
}

/** One dead-lettered entry, as a JSON element of the dead-letter list. */
export interface UsageDeadLetter {
  /** The stream entry id. */
  entryId: string;
  /** The entry's raw field/value pairs, so it can be repaired and re-added. */
  fields: string[];
  code: UsageEntryPoisonCode | "INSERT_FAILED";
  error: string;
  deadLetteredAt: string;
}
