import type { ActorType, Prisma } from "@perimeter/db";
import { z } from "zod";
import type { DbClient } from "./context.ts";

const isoDate = z.iso.datetime({ offset: true }).transform((iso) => new Date(iso));

export const listAuditEventsInputSchema = z.strictObject({
  /** Exact action (`api_key.revoke`), or a prefix ending in `*` (`api_key.*`). */
  action: z.string().trim().min(1).max(100).optional(),
  actorId: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(100).optional(),
  targetId: z.string().trim().min(1).max(100).optional(),
  teamId: z.string().trim().min(1).max(100).optional(),
  /** Inclusive lower and exclusive upper bound on `occurredAt`. */
  from: isoDate.optional(),
  to: isoDate.optional(),
  /** The `nextCursor` of the previous page: events with a lower `seq`. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, "a cursor is the nextCursor of a previous page")
    .optional(),
  limit: z.int().min(1).max(500).default(50),
});
export type ListAuditEventsInput = z.input<typeof listAuditEventsInputSchema>;

/** An audit event for display and the API: `seq` as a decimal string (it is a bigint). */
export interface AuditEventView {
  id: string;
  seq: string;
  occurredAt: Date;
  actorType: ActorType;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  teamId: string | null;
  before: Prisma.JsonValue;
  after: Prisma.JsonValue;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  hash: string;
}

export interface ListAuditEventsResult {
  events: AuditEventView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of an organization's audit events matching the filters, newest first, with a keyset cursor
 * on `seq` so paging stays fast and stable while new events arrive. Reads only; invalid filters throw a
 * ZodError.
 */
export async function listAuditEvents(
  db: DbClient,
  orgId: string,
  rawInput: ListAuditEventsInput,
): Promise<ListAuditEventsResult> {
  const input = listAuditEventsInputSchema.parse(rawInput);
  const where: Prisma.AuditEventWhereInput = { orgId };
  if (input.action) {
    where.action = input.action.endsWith("*") ? { startsWith: input.action.slice(0, -1) } : input.action;
  }
  if (input.actorId) where.actorId = input.actorId;
  if (input.targetType) where.targetType = input.targetType;
  if (input.targetId) where.targetId = input.targetId;
  if (input.teamId) where.teamId = input.teamId;
  if (input.from || input.to) where.occurredAt = { gte: input.from, lt: input.to };
  if (input.cursor) where.seq = { lt: BigInt(input.cursor) };
  const rows = await db.auditEvent.findMany({ where, orderBy: { seq: "desc" }, take: input.limit + 1 });
  const page = rows.slice(0, input.limit);
  const events = page.map(({ orgId: _orgId, prevHash: _prevHash, seq, ...row }) => ({ ...row, seq: seq.toString() }));
  const last = page.at(-1);
  return { events, nextCursor: rows.length > input.limit && last ? last.seq.toString() : null };
}
