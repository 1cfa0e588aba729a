import { invalid } from "../../operations/operation-result";
import { getUsage, listRequests } from "../../operations/usage";
import { type ApiCall, reply } from "../admin-route";

/** The API's names for the report's dimensions (Anthropic's own names are accepted too). */
const dimensions: Record<string, "team_id" | "api_key_id" | "user_id" | "model"> = {
  team: "team_id",
  team_id: "team_id",
  key: "api_key_id",
  api_key_id: "api_key_id",
  user: "user_id",
  user_id: "user_id",
  model: "model",
};

/** Every value of a query parameter, repeated (`?model=a&model=b`) or comma-separated (`?model=a,b`). */
function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const values = query
    .getAll(name)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
  return values.length > 0 ? values : undefined;
}

/** A whole number, kept as text when it is not one so validation names the field. */
function queryInt(query: URLSearchParams, name: string): number | string | undefined {
  const value = query.get(name);
  if (!value) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

const renamedFields: Record<string, string> = { startingAt: "start", endingAt: "end", bucketWidth: "bucket" };

function withQueryNames(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([field, message]) => [renamedFields[field.split(".")[0] ?? field] ?? field, message]),
  );
}

/**
 * `GET /api/v1/usage?start&end&bucket=1h|1d&groupBy=team,key,user,model` (filters `teamId`, `apiKeyId`,
 * `userId`, `model`, each repeatable; `limit` buckets per page, `page`): usage from the rollups in the
 * shape of Anthropic's usage report.
 */
export async function usageReportEndpoint(call: ApiCall): Promise<Response> {
  const q = call.query;
  const groupBy = queryList(q, "groupBy") ?? [];
  const unknown = groupBy.filter((name) => !(name in dimensions));
  if (unknown.length > 0) return reply(call, invalid({ groupBy: `unknown dimension: ${unknown.join(", ")}` }), 400);
  const result = await getUsage(call.env, call.principal, {
    startingAt: q.get("start") ?? undefined,
    endingAt: q.get("end") ?? undefined,
    bucketWidth: q.get("bucket") ?? undefined,
    groupBy: [...new Set(groupBy.map((name) => dimensions[name]))],
    teamIds: queryList(q, "teamId"),
    apiKeyIds: queryList(q, "apiKeyId"),
    userIds: queryList(q, "userId"),
    models: queryList(q, "model"),
    limit: queryInt(q, "limit"),
    page: q.get("page") ?? undefined,
  });
  if (!result.ok && result.code === "INVALID") return reply(call, invalid(withQueryNames(result.fields)), 400);
  return reply(call, result, 200);
}

/**
 * `GET /api/v1/usage/events?start&end&teamId&apiKeyId&userId&model&sessionId&status&limit&cursor`: the
 * request log, newest first, one page (`nextCursor` while `hasMore`).
 */
export async function usageEventsEndpoint(call: ApiCall): Promise<Response> {
  const q = call.query;
  const status = q.get("status") ?? undefined;
  const result = await listRequests(call.env, call.principal, {
    startingAt: q.get("start") ?? undefined,
    endingAt: q.get("end") ?? undefined,
    teamId: q.get("teamId") ?? undefined,
    apiKeyId: q.get("apiKeyId") ?? undefined,
    userId: q.get("userId") ?? undefined,
    model: q.get("model") ?? undefined,
    sessionId: q.get("sessionId") ?? undefined,
    status: status && /^\d+$/.test(status) ? Number(status) : status,
    limit: queryInt(q, "limit"),
    cursor: q.get("cursor") ?? undefined,
  });
  if (!result.ok && result.code === "INVALID") return reply(call, invalid(withQueryNames(result.fields)), 400);
  return reply(call, result, 200);
}
