import { newId } from "@perimeter/db";
import type { Principal } from "../authz/principal";
import type { OperationEnv } from "../operations/operation-env";
import type { OperationResult } from "../operations/operation-result";
import { clientAddress, requestOrigin, userAgentOf } from "../request-meta";
import { getConfig, getServices, type WebServices } from "../services";
import { errorResponse, failureResponse } from "./api-error";
import { authenticateApiToken } from "./api-principal";

/** What an endpoint gets: the caller, where to act, path parameters, the body and query. */
export interface ApiCall {
  principal: Principal;
  env: OperationEnv;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The public origin, for links the API returns (invitations). */
  origin: string;
  /** The parsed JSON body; a body that is not JSON was already answered with 400. */
  body: unknown;
  /** `req_…`, in the `request-id` header, every error body and the audit events of this call. */
  requestId: string;
}

export type Endpoint = (call: ApiCall) => Promise<Response>;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/** Where a route finds its services: the app's composition root, or a test's own. */
export type ServicesSource = () => Pick<WebServices, "db" | "keyPepper" | "log"> &
  Partial<Pick<WebServices, "redis" | "exportQueue" | "exportDir">> & { webPublicUrl?: string | null };

const appServices: ServicesSource = () => ({ ...getServices(), webPublicUrl: getConfig().webPublicUrl });

const maxBodyBytes = 1024 * 1024;

async function readJson(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; message: string }> {
  if (request.method === "GET" || request.method === "DELETE" || request.method === "HEAD")
    return { ok: true, body: undefined };
  const text = await request.text();
  if (text.length > maxBodyBytes) return { ok: false, message: "the request body is larger than 1 MiB" };
  if (text.trim() === "") return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, message: "the request body is not valid JSON" };
  }
}

/**
 * Wraps an endpoint as a Next route handler: authenticates the admin token, parses the JSON body,
 * gives every response a `request-id`, records the caller's address and user agent for the audit
 * events the endpoint's writes leave, and turns an unexpected exception into a logged 500 envelope.
 */
export function adminRoute(endpoint: Endpoint, services: ServicesSource = appServices) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const requestId = newId("request");
    const deps = services();
    try {
      const auth = await authenticateApiToken(deps, request.headers);
      if (!auth.ok) return errorResponse(auth.status, auth.type, auth.message, requestId);
      const parsed = await readJson(request);
      if (!parsed.ok) return errorResponse(400, "invalid_request", parsed.message, requestId);
      // Routes without dynamic segments get no params at all.
      const rawParams = (await context.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([name, value]) => [name, Array.isArray(value) ? value.join("/") : value]),
      );
      const response = await endpoint({
        principal: auth.principal,
        env: {
          db: deps.db,
          keyPepper: deps.keyPepper,
          ...(deps.redis ? { changes: deps.redis, redis: deps.redis } : {}),
          exportQueue: deps.exportQueue,
          exportDir: deps.exportDir,
          request: { ip: clientAddress(request.headers), userAgent: userAgentOf(request.headers), requestId },
        },
        params,
        query: new URL(request.url).searchParams,
        origin: requestOrigin(request.headers, deps.webPublicUrl ?? null),
        body: parsed.body,
        requestId,
      });
      response.headers.set("request-id", requestId);
      response.headers.set("cache-control", "no-store");
      return response;
    } catch (error) {
      deps.log.error("admin api failure", { requestId, error: error instanceof Error ? error.message : String(error) });
      return errorResponse(500, "internal_error", "internal error; the server log has details", requestId);
    }
  };
}

/** The operation's value as JSON with `status`, or its failure in the error envelope. */
export function reply<T>(
  call: ApiCall,
  result: OperationResult<T>,
  status: number,
  shape: (value: T) => unknown = (value) => value,
): Response {
  if (!result.ok) return failureResponse(result, call.requestId);
  return Response.json(shape(result.value), { status });
}
