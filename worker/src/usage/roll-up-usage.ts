import { latencyHistogramBoundsMs, latencyHistogramSize, latencyHistogramSumSql } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import { Prisma } from "@perimeter/db";

export interface RollUpUsageOptions {
  /**
   * Rows ingested less than this long ago are left for the next run. Ingestion transactions are
   * bounded by `insertStatementTimeoutMs`, so anything older has committed or rolled back: rows of a
   * transaction that committed late are never skipped. Keep it well above that bound.
   */
  safetyMarginMs: number;
  /** At most this much ingestion time per transaction, so a backlog is worked off in bounded steps. */
  maxWindowMs?: number;
}

export interface RollUpUsageResult {
  /** The ingestion window `(from, to]` this run covered; equal when there was nothing to do. */
  from: Date;
  to: Date;
  dirtyHours: number;
  /** Dirty hours left alone because raw retention may already have removed part of them. */
  frozenHours: number;
  hourlyRows: number;
  dailyRows: number;
  /** True when the window was capped and more ingested rows wait for the next run. */
  more: boolean;
}

export const usageRollupWatermark = "usage-rollup";
const defaultMaxWindowMs = 3_600_000;

// The bucket key as `schema.prisma` documents it; '-' stands for a missing id.
const bucketKeySql = (granularity: "hour" | "day", bucket: string, row: string) => `concat_ws('|', '${granularity}',
  ${row}.org_id, to_char(${bucket} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  coalesce(${row}.team_id, '-'), coalesce(${row}.api_key_id, '-'), coalesce(${row}.user_id, '-'), ${row}.model)`;

const rollupColumns = `org_id, granularity, bucket_start, bucket_key, team_id, api_key_id, user_id, model,
  requests, errors, denied_requests, input_tokens, cache_read_input_tokens, output_tokens, reasoning_tokens,
  latency_ms_sum, time_to_first_token_ms_sum, time_to_first_token_count, latency_ms_histogram, updated_at`;

const histogramSlots = Array.from({ length: latencyHistogramSize }, (_, index) => index);
/** Requests per latency bucket of a group of raw events, `lb` being each event's bucket number. */
const histogramFromEventsSql = `ARRAY[${histogramSlots.map((i) => `count(*) FILTER (WHERE lb.bucket = ${i})`).join(", ")}]::bigint[]`;

/**
 * One rollup run, in one transaction: takes the watermark row FOR UPDATE (one writer however many
 * workers run it), finds every (organization, hour) touched by rows ingested in `(watermark, now −
 * margin]`, recomputes those hourly buckets whole from the raw events, recomputes the days containing
 * them from their hourly rows, and advances the watermark. Buckets are overwritten, never incremented,
 * so a rerun changes nothing and a late event simply makes its old bucket dirty again. The watermark is
 * on `ingested_at` (the database's clock at insert), not on event time, for that reason.
 *
 * An hour older than its organization's raw retention (`usage_retention_days`, whole UTC days) is
 * frozen: its raw rows may be partly deleted, so recomputing it would lose counts; its rollup stands.
 */
export async function rollUpUsage(db: Db, options: RollUpUsageOptions): Promise<RollUpUsageResult> {
  const name = usageRollupWatermark;
  const maxWindowMs = options.maxWindowMs ?? defaultMaxWindowMs;
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
        INSERT INTO job_watermarks (name, watermark, updated_at) VALUES (${name}, 'epoch', now())
        ON CONFLICT (name) DO NOTHING`;
      const [state] = await tx.$queryRaw<{ from: Date; to: Date; more: boolean }[]>`
        WITH mark AS (SELECT watermark FROM job_watermarks WHERE name = ${name} FOR UPDATE),
        bounds AS (
          SELECT mark.watermark AS lo,
                 clock_timestamp() - make_interval(secs => ${options.safetyMarginMs / 1000}) AS now_hi,
                 (SELECT min(ingested_at) FROM usage_events WHERE ingested_at > mark.watermark) AS first_new
          FROM mark)
        SELECT lo AS "from",
               CASE WHEN first_new IS NULL THEN greatest(lo, now_hi)
                    ELSE greatest(lo, least(now_hi, first_new + make_interval(secs => ${maxWindowMs / 1000})))
               END AS "to",
               coalesce(first_new + make_interval(secs => ${maxWindowMs / 1000}) < now_hi, false) AS more
        FROM bounds`;
      if (!state) throw new Error(`watermark ${name} is missing`);
      const result: RollUpUsageResult = {
        from: state.from,
        to: state.to,
        dirtyHours: 0,
        frozenHours: 0,
        hourlyRows: 0,
        dailyRows: 0,
        more: Boolean(state.more),
      };
      if (state.to.getTime() <= state.from.getTime()) return result;

      await tx.$executeRaw`
        CREATE TEMP TABLE rollup_dirty_hours ON COMMIT DROP AS
        SELECT DISTINCT org_id, date_trunc('hour', event_time, 'UTC') AS bucket
        FROM usage_events WHERE ingested_at > ${state.from} AND ingested_at <= ${state.to}`;
      // Retention deletes raw rows before the start of the UTC day `usage_retention_days` ago.
      result.frozenHours = await tx.$executeRaw`
        DELETE FROM rollup_dirty_hours d USING organizations o
        WHERE o.id = d.org_id
          AND d.bucket < date_trunc('day', now(), 'UTC') - make_interval(days => o.usage_retention_days)`;
      const [dirty] = await tx.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM rollup_dirty_hours`;
      result.dirtyHours = Number(dirty?.count ?? 0);

      if (result.dirtyHours > 0) {
        await tx.$executeRaw`
          DELETE FROM usage_rollups r USING rollup_dirty_hours d
          WHERE r.org_id = d.org_id AND r.granularity = 'hour' AND r.bucket_start = d.bucket`;
        result.hourlyRows = await tx.$executeRaw(
          Prisma.raw(`
          INSERT INTO usage_rollups (${rollupColumns})
          SELECT e.org_id, 'hour', d.bucket, ${bucketKeySql("hour", "d.bucket", "e")},
                 e.team_id, e.api_key_id, e.user_id, e.model,
                 count(*), count(*) FILTER (WHERE e.status >= 400),
                 count(*) FILTER (WHERE e.limit_decision IS NOT NULL AND e.limit_decision <> 'admitted'),
                 sum(e.input_tokens), sum(e.cache_read_input_tokens), sum(e.output_tokens),
                 sum(e.reasoning_tokens), sum(e.latency_ms), coalesce(sum(e.time_to_first_token_ms), 0),
                 count(e.time_to_first_token_ms), ${histogramFromEventsSql}, now()
          FROM rollup_dirty_hours d
          JOIN usage_events e ON e.org_id = d.org_id
           AND e.event_time >= d.bucket AND e.event_time < d.bucket + interval '1 hour'
          CROSS JOIN LATERAL (
            SELECT width_bucket(e.latency_ms, '{${latencyHistogramBoundsMs.join(",")}}'::int[]) AS bucket) lb
          GROUP BY e.org_id, d.bucket, e.team_id, e.api_key_id, e.user_id, e.model`),
        );

        // Days from their hourly rows: intervals in hours, since a '1 day' interval follows the
        // session's time zone across DST changes.
        await tx.$executeRaw`
          CREATE TEMP TABLE rollup_dirty_days ON COMMIT DROP AS
          SELECT DISTINCT org_id, date_trunc('day', bucket, 'UTC') AS day FROM rollup_dirty_hours`;
        await tx.$executeRaw`
          DELETE FROM usage_rollups r USING rollup_dirty_days d
          WHERE r.org_id = d.org_id AND r.granularity = 'day' AND r.bucket_start = d.day`;
        result.dailyRows = await tx.$executeRaw(
          Prisma.raw(`
          INSERT INTO usage_rollups (${rollupColumns})
          SELECT h.org_id, 'day', d.day, ${bucketKeySql("day", "d.day", "h")},
                 h.team_id, h.api_key_id, h.user_id, h.model,
                 sum(h.requests), sum(h.errors), sum(h.denied_requests), sum(h.input_tokens),
                 sum(h.cache_read_input_tokens), sum(h.output_tokens), sum(h.reasoning_tokens),
                 sum(h.latency_ms_sum), sum(h.time_to_first_token_ms_sum), sum(h.time_to_first_token_count),
                 ${latencyHistogramSumSql("h.latency_ms_histogram")}, now()
          FROM rollup_dirty_days d
          JOIN usage_rollups h ON h.org_id = d.org_id AND h.granularity = 'hour'
           AND h.bucket_start >= d.day AND h.bucket_start < d.day + interval '24 hours'
          GROUP BY h.org_id, d.day, h.team_id, h.api_key_id, h.user_id, h.model`),
        );
      }
      await tx.$executeRaw`UPDATE job_watermarks SET watermark = ${state.to}, updated_at = now() WHERE name = ${name}`;
      return result;
    },
    { maxWait: 10_000, timeout: 300_000 },
  );
}
