import type http from "node:http";

export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** `req_…`, also sent as the `request-id` response header and in error bodies. */
  requestId: string;
}

/** A route's handler; throwing (or rejecting) before writing a response produces a 500 `api_error`. */
export type RouteHandler = (ctx: RequestContext) => void | Promise<void>;
