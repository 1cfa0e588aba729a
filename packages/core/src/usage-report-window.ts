/** Bucket widths of the usage report, as Anthropic's usage report names them. */
export type BucketWidth = "1h" | "1d";

export const bucketWidthMs: Record<BucketWidth, number> = { "1h": 3_600_000, "1d": 86_400_000 };

/** Buckets per page, as in Anthropic's usage report: 24 hours (at most 168) or 7 days (at most 31). */
export const bucketLimits: Record<BucketWidth, { default: number; max: number }> = {
  "1h": { default: 24, max: 168 },
  "1d": { default: 7, max: 31 },
};

export interface UsageReportWindowInput {
  startingAt: Date;
  /** Exclusive; buckets that start before it are returned. */
  endingAt: Date;
  bucketWidth: BucketWidth;
  limit?: number;
  /** `next_page` of the previous page. */
  page?: string;
}

export type UsageReportWindow =
  | {
      ok: true;
      /** Start of every bucket on this page, in order; `[from, to)` covers them. */
      buckets: Date[];
      from: Date;
      to: Date;
      nextPage: string | null;
    }
  | { ok: false; code: "INVALID_RANGE" | "INVALID_PAGE" };

const pagePrefix = "page_";

function encodePage(bucketStart: Date): string {
  return pagePrefix + Buffer.from(bucketStart.toISOString()).toString("base64url");
}

function decodePage(page: string): Date | undefined {
  if (!page.startsWith(pagePrefix)) return undefined;
  const time = new Date(Buffer.from(page.slice(pagePrefix.length), "base64url").toString("utf8"));
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * The buckets one page of a usage report covers. `startingAt` snaps down to its bucket in UTC; the
 * page holds up to `limit` buckets that start before `endingAt`; `nextPage` is an opaque token for the
 * first bucket of the next page, or null on the last page. A token that does not name a bucket of
 * this range is INVALID_PAGE; `endingAt` not after the snapped start is INVALID_RANGE. Pure.
 */
export function planUsageReportWindow(input: UsageReportWindowInput): UsageReportWindow {
  const width = bucketWidthMs[input.bucketWidth];
  const limit = input.limit ?? bucketLimits[input.bucketWidth].default;
  const rangeStart = Math.floor(input.startingAt.getTime() / width) * width;
  const end = input.endingAt.getTime();
  if (end <= rangeStart) return { ok: false, code: "INVALID_RANGE" };

  let first = rangeStart;
  if (input.page !== undefined) {
    const decoded = decodePage(input.page)?.getTime();
    if (decoded === undefined || decoded % width !== 0 || decoded < rangeStart || decoded >= end) {
      return { ok: false, code: "INVALID_PAGE" };
    }
    first = decoded;
  }
  const buckets: Date[] = [];
  for (let start = first; start < end && buckets.length < limit; start += width) buckets.push(new Date(start));
  const next = first + buckets.length * width;
  return {
    ok: true,
    buckets,
    from: new Date(first),
    to: new Date(next),
    nextPage: next < end ? encodePage(new Date(next)) : null,
  };
}
