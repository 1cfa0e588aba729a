export { type GatewayConfig, gatewayEnvSchema, parseGatewayEnv } from "./env.ts";
export { type AnthropicErrorBody, anthropicErrorBody, anthropicErrorTypes } from "./http/anthropic-error.ts";
export type { RequestContext, RouteHandler } from "./http/route.ts";
export { createServer } from "./server.ts";
export { closeServices, createRedis, createServices, type GatewayServices } from "./services.ts";
export { createUpstream, type Upstream } from "./upstream.ts";
