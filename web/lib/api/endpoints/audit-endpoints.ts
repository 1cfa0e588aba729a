import { listAudit, verifyAudit } from "../../operations/audit";
import { type ApiCall, reply } from "../admin-route";

const filterNames = ["action", "actorId", "targetType", "targetId", "teamId", "from", "to", "cursor"] as const;

/** `GET /api/v1/audit?action&actorId&targetType&targetId&teamId&from&to&cursor&limit`: newest first. */
export async function listAuditEndpoint(call: ApiCall): Promise<Response> {
  const filters: Record<string, unknown> = {};
  for (const name of filterNames) {
    const value = call.query.get(name);
    if (value) filters[name] = value;
  }
  const limit = call.query.get("limit");
  if (limit) filters.limit = /^\d+$/.test(limit) ? Number(limit) : limit;
  return reply(call, await listAudit(call.env, call.principal, filters), 200);
}

/** `GET /api/v1/audit/verify`: re-computes the hash chain and reports whether it is intact. */
export async function verifyAuditEndpoint(call: ApiCall): Promise<Response> {
  return reply(call, await verifyAudit(call.env, call.principal), 200);
}
