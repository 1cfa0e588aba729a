import type { Prisma, UsageEvent } from "@perimeter/db";
import { z } from "zod";
import type { CoreContext } from "./context.ts";

export const listUsageEventsInputSchema = z.strictObject({
  /** Inclusive lower bound on event time. */
  startingAt: z.iso.datetime({ offset: true }).optional(),
  /** Exclusive upper bound on event time. */
  endingAt: z.iso.datetime({ offset: true }).optional(),
  teamId: z.string().min(1).optional(),
  apiKeyId: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  sessionId: z.string().min(1).optional(),
  /** An exact HTTP status, a class (`2xx`, `4xx`, `5xx`) or `error` (any status ≥ 400). */
  status: z.union([z.int().min(100).max(599), z.enum(["2xx", "4xx", "5xx", "error"])]).optional(),
  limit: z.int().min(1).max(1000).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type ListUsageEventsInput = z.input<typeof listUsageEventsInputSchema>;

/** One request in the request log: the stored row without its internal numeric id. */
export type UsageEventView = Omit<UsageEvent, "id">;

export type ListUsageEventsResult =
  | { ok: true; data: UsageEventView[]; hasMore: boolean; nextCursor: string | null }
  | { ok: false; code: "INVALID_CURSOR" };

interface Cursor {
  eventTime: Date;
  id: bigint;
}

function encodeCursor(row: UsageEvent): string {
  return Buffer.from(JSON.stringify([row.eventTime.toISOString(), row.id.toString()])).toString("base64url");
}

function decodeCursor(cursor: string): Cursor | undefined {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const eventTime = new Date(time);
    return Number.isNaN(eventTime.getTime()) || !/^\d+$/.test(id) ? undefined : { eventTime, id: BigInt(id) };
  } catch {
    return undefined;
  }
}

function statusWhere(
  status: z.output<typeof listUsageEventsInputSchema>["status"],
): Prisma.IntFilter | number | undefined {
  if (status === undefined || typeof status === "number") return status;
  if (status === "error") return { gte: 400 };
  const base = Number(status[0]) * 100;
  return { gte: base, lt: base + 100 };
}

/**
 * The request log of the context's organization, newest first, filtered by time range, team, key,
 * user, model, session and status. Keyset-paginated on (event time, id): a page costs the same at row
 * 10 as at row 10 million, and rows ingested meanwhile never shift a page. An unreadable cursor is
 * INVALID_CURSOR.
 */
export async function listUsageEvents(
  ctx: Pick<CoreContext, "db" | "orgId">,
  rawInput: ListUsageEventsInput,
): Promise<ListUsageEventsResult> {
  const input = listUsageEventsInputSchema.parse(rawInput);
  const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  if (input.cursor !== undefined && !cursor) return { ok: false, code: "INVALID_CURSOR" };

  const where: Prisma.UsageEventWhereInput = {
    orgId: ctx.orgId,
    eventTime: {
      ...(input.startingAt ? { gte: new Date(input.startingAt) } : {}),
      ...(input.endingAt ? { lt: new Date(input.endingAt) } : {}),
    },
    teamId: input.teamId,
    apiKeyId: input.apiKeyId,
    userId: input.userId,
    model: input.model,
    sessionId: input.sessionId,
    status: statusWhere(input.status),
    ...(cursor
      ? { OR: [{ eventTime: { lt: cursor.eventTime } }, { eventTime: cursor.eventTime, id: { lt: cursor.id } }] }
      : {}),
  };
  const rows = await ctx.db.usageEvent.findMany({
    where,
    orderBy: [{ eventTime: "desc" }, { id: "desc" }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const hasMore = rows.length > input.limit;
  return {
    ok: true,
    data: page.map(({ id: _, ...view }) => view),
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(last) : null,
  };
}
