import type { ExportFilter, ExportKindName } from "@perimeter/core";
import { Prisma } from "@perimeter/db";
import type { ExportCell } from "./render-export-rows.ts";

/** Where a page resumes: the ordering time and the tie-breaking id of the last row written. */
export interface PageKey {
  time: Date;
  id: bigint;
}

export interface ExportPage {
  rows: ExportCell[][];
  /** Ordering time of each row, for the manifest's first and last row times. */
  times: Date[];
  next: PageKey | null;
}

type SqlClient = Pick<Prisma.TransactionClient, "$queryRaw">;

/** One exportable table: its columns in file order and a keyset-paginated read in time order. */
export interface ExportSource {
  columns: string[];
  fetchPage(
    db: SqlClient,
    orgId: string,
    filter: ExportFilter,
    after: PageKey | null,
    limit: number,
  ): Promise<ExportPage>;
}

interface SourceSpec {
  table: string;
  /** Column holding the row's time: what `from`/`to` bound and rows are ordered by. */
  timeColumn: string;
  /** Unique bigint column that breaks ties between rows of the same time. */
  keyColumn: "id" | "seq";
  columns: string[];
  /** Filter conditions beyond organization and time. */
  where(filter: ExportFilter): Prisma.Sql[];
}

const equals = (column: string, value: string | undefined) =>
  value === undefined ? [] : [Prisma.sql`${Prisma.raw(column)} = ${value}`];

function source(spec: SourceSpec): ExportSource {
  const time = Prisma.raw(spec.timeColumn);
  const key = Prisma.raw(spec.keyColumn);
  const select = Prisma.raw(spec.columns.join(", "));
  const table = Prisma.raw(spec.table);
  return {
    columns: spec.columns,
    async fetchPage(db, orgId, filter, after, limit) {
      const conditions = [
        Prisma.sql`org_id = ${orgId}`,
        Prisma.sql`${time} >= ${new Date(filter.from)}`,
        Prisma.sql`${time} < ${new Date(filter.to)}`,
        ...spec.where(filter),
        ...(after ? [Prisma.sql`(${time}, ${key}) > (${after.time}, ${after.id})`] : []),
      ];
      const rows = await db.$queryRaw<Record<string, ExportCell>[]>`
        SELECT ${key} AS export_row_key, ${time} AS export_row_time, ${select} FROM ${table}
        WHERE ${Prisma.join(conditions, " AND ")}
        ORDER BY ${time}, ${key} LIMIT ${limit}`;
      const last = rows.at(-1);
      return {
        rows: rows.map((row) => spec.columns.map((column) => row[column])),
        times: rows.map((row) => row.export_row_time as Date),
        next:
          last && rows.length === limit
            ? { time: last.export_row_time as Date, id: BigInt(last.export_row_key as bigint) }
            : null,
      };
    },
  };
}

/** The exportable tables; the time columns are indexed together with `org_id`. */
export const exportSources: Record<ExportKindName, ExportSource> = {
  usage_events: source({
    table: "usage_events",
    timeColumn: "event_time",
    keyColumn: "id",
    columns: [
      "request_id",
      "event_time",
      "started_at",
      "ingested_at",
      "team_id",
      "api_key_id",
      "user_id",
      "session_id",
      "agent_id",
      "model",
      "served_model",
      "deployment_id",
      "replica_id",
      "endpoint",
      "stream",
      "status",
      "error_type",
      "stop_reason",
      "limit_decision",
      "client_abort",
      "input_tokens",
      "cache_read_input_tokens",
      "output_tokens",
      "reasoning_tokens",
      "latency_ms",
      "time_to_first_token_ms",
      "user_agent",
    ],
    where: (filter) => [
      ...equals("team_id", filter.teamId),
      ...equals("api_key_id", filter.apiKeyId),
      ...equals("user_id", filter.userId),
      ...equals("model", filter.model),
    ],
  }),
  usage_rollups: source({
    table: "usage_rollups",
    timeColumn: "bucket_start",
    keyColumn: "id",
    columns: [
      "granularity",
      "bucket_start",
      "team_id",
      "api_key_id",
      "user_id",
      "model",
      "requests",
      "errors",
      "denied_requests",
      "input_tokens",
      "cache_read_input_tokens",
      "output_tokens",
      "reasoning_tokens",
      "latency_ms_sum",
      "time_to_first_token_ms_sum",
      "time_to_first_token_count",
      "latency_ms_histogram",
    ],
    where: (filter) => [
      Prisma.sql`granularity = ${filter.granularity ?? "day"}::rollup_granularity`,
      ...equals("team_id", filter.teamId),
      ...equals("api_key_id", filter.apiKeyId),
      ...equals("user_id", filter.userId),
      ...equals("model", filter.model),
    ],
  }),
  audit_events: source({
    table: "audit_events",
    timeColumn: "occurred_at",
    keyColumn: "seq",
    columns: [
      "seq",
      "id",
      "occurred_at",
      "actor_type",
      "actor_id",
      "actor_label",
      "action",
      "target_type",
      "target_id",
      "team_id",
      "before",
      "after",
      "ip",
      "user_agent",
      "request_id",
      "prev_hash",
      "hash",
    ],
    where: (filter) => [...equals("team_id", filter.teamId), ...equals("actor_id", filter.userId ?? filter.apiKeyId)],
  }),
};
