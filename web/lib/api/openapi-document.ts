import {
  createDeploymentInputSchema,
  createModelInputSchema,
  createTeamInputSchema,
  deploymentSpecSchema,
  rotateApiKeyInputSchema,
} from "@perimeter/core";
import { z } from "zod";
import { updateDeploymentRequestSchema } from "../operations/deployments";
import { exportRequestSchema } from "../operations/exports";
import { addTeamMemberInputSchema } from "../operations/members";
import { apiLimitsSchema } from "./api-limits";
import { apiCreateKeySchema } from "./endpoints/key-endpoints";
import { apiVisionPolicySchema } from "./endpoints/vision-policy-endpoints";

type Json = Record<string, unknown>;

// Request bodies are generated from the very schemas the endpoints validate with, so the document
// cannot drift from what the API accepts.
function bodySchema(schema: z.ZodType): Json {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

const errorEnvelope: Json = {
  type: "object",
  required: ["error", "requestId"],
  properties: {
    error: {
      type: "object",
      required: ["type", "message"],
      properties: {
        type: {
          type: "string",
          enum: [
            "invalid_request",
            "authentication_error",
            "permission_error",
            "not_found",
            "conflict",
            "internal_error",
          ],
        },
        message: { type: "string" },
        fields: { type: "object", additionalProperties: { type: "string" }, description: "field → message (400 only)" },
      },
    },
    requestId: { type: "string", example: "req_01jf…" },
  },
};

const key: Json = {
  type: "object",
  properties: {
    id: { type: "string" },
    publicId: { type: "string" },
    last4: { type: "string" },
    name: { type: "string" },
    scope: { type: "string", enum: ["inference", "admin"] },
    teamId: { type: ["string", "null"] },
    ownerUserId: { type: ["string", "null"] },
    createdByUserId: { type: ["string", "null"] },
    replacedById: { type: ["string", "null"] },
    createdAt: { type: "string", format: "date-time" },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
    revokedReason: { type: ["string", "null"] },
    lastUsedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const keyWithSecret: Json = {
  allOf: [key, { type: "object", properties: { key: { type: "string", description: "the secret; shown only here" } } }],
};
const limits: Json = {
  type: "object",
  properties: Object.fromEntries(
    Object.keys(apiLimitsSchema.shape).map((name) => [
      name,
      name === "models" ? { type: "array", items: { type: "string" } } : { type: ["integer", "null"] },
    ]),
  ),
};

function json(schema: Json, description: string): Json {
  return { description, content: { "application/json": { schema } } };
}

const errors: Json = Object.fromEntries(
  [
    ["400", "invalid input, with a message per field"],
    ["401", "missing, unknown, revoked or expired token"],
    ["403", "the token is not an admin-scope token"],
    ["404", "no such resource in this organization"],
    ["409", "conflicts with the current state"],
  ].map(([status, description]) => [status, json(errorEnvelope, description as string)]),
);

function path(name: string, description: string): Json {
  return { name, in: "path", required: true, description, schema: { type: "string" } };
}
const teamId = path("teamId", "team id (`team_…`)");
const keyId = path("keyId", "API key id (`key_…`)");

function operation(summary: string, responses: Json, extra: Json = {}): Json {
  return { summary, security: [{ adminToken: [] }], responses: { ...responses, ...errors }, ...extra };
}
function withBody(schema: z.ZodType): Json {
  return { requestBody: { required: true, content: { "application/json": { schema: bodySchema(schema) } } } };
}

const auditQuery = ["action", "actorId", "targetType", "targetId", "teamId", "from", "to", "cursor", "limit"].map(
  (name) => ({
    name,
    in: "query",
    required: false,
    schema: name === "limit" ? { type: "integer", minimum: 1, maximum: 500, default: 50 } : { type: "string" },
    description:
      name === "action"
        ? "exact action, or a prefix ending in * (`api_key.*`)"
        : name === "from" || name === "to"
          ? "ISO 8601 date-time with offset (from inclusive, to exclusive)"
          : name === "cursor"
            ? "nextCursor of the previous page"
            : undefined,
  }),
);

function query(name: string, description: string, schema: Json = { type: "string" }): Json {
  return { name, in: "query", required: false, description, schema };
}
const timeQuery = (name: string, what: string) =>
  query(name, `${what}, ISO 8601 date-time with offset`, { type: "string", format: "date-time" });
const listQuery = (name: string, what: string) => query(name, `${what}; repeat the parameter or separate with commas`);

const usageQuery = [
  { ...timeQuery("start", "first bucket (snapped down to its hour or day, UTC)"), required: true },
  timeQuery("end", "exclusive end; default now"),
  query("bucket", "bucket width", { type: "string", enum: ["1h", "1d"], default: "1d" }),
  query("groupBy", "comma-separated dimensions: team, key, user, model"),
  listQuery("teamId", "only these teams"),
  listQuery("apiKeyId", "only these keys"),
  listQuery("userId", "only these users"),
  listQuery("model", "only these public model names"),
  query("limit", "buckets per page (1h: 24, at most 168; 1d: 7, at most 31)", { type: "integer", minimum: 1 }),
  query("page", "`next_page` of the previous page"),
];
const eventsQuery = [
  timeQuery("start", "inclusive lower bound on the request's end time"),
  timeQuery("end", "exclusive upper bound"),
  ...["teamId", "apiKeyId", "userId", "model", "sessionId"].map((name) => query(name, `exact ${name}`)),
  query("status", "an HTTP status, `2xx`, `4xx`, `5xx` or `error` (≥ 400)"),
  query("limit", "rows per page", { type: "integer", minimum: 1, maximum: 200, default: 50 }),
  query("cursor", "nextCursor of the previous page"),
];

const usageResult: Json = {
  type: "object",
  description: "one group in one bucket; a dimension is null unless grouped by it",
  properties: {
    ...Object.fromEntries(
      ["team_id", "api_key_id", "user_id", "model"].map((name) => [name, { type: ["string", "null"] }]),
    ),
    ...Object.fromEntries(
      [
        "uncached_input_tokens",
        "cache_read_input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "requests",
        "errors",
        "denied_requests",
        "latency_ms_sum",
      ].map((name) => [name, { type: "integer" }]),
    ),
    ...Object.fromEntries(
      ["avg_latency_ms", "p50_latency_ms", "p95_latency_ms", "avg_time_to_first_token_ms"].map((name) => [
        name,
        { type: ["number", "null"] },
      ]),
    ),
    cache_creation: { type: "object", description: "always zero: vLLM's prefix cache bills no writes" },
  },
};
const usageReport: Json = {
  type: "object",
  description: "Anthropic usage-report shape, answered from hourly and daily rollups",
  properties: {
    data: {
      type: "array",
      items: {
        type: "object",
        properties: {
          starting_at: { type: "string", format: "date-time" },
          ending_at: { type: "string", format: "date-time" },
          results: { type: "array", items: usageResult },
        },
      },
    },
    has_more: { type: "boolean" },
    next_page: { type: ["string", "null"] },
  },
};

const exportJson: Json = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { type: "string", enum: ["usage", "usage_rollups", "audit"] },
    format: { type: "string", enum: ["csv", "jsonl"] },
    status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "expired"] },
    filter: { type: "object" },
    rowsWritten: { type: "integer" },
    rowCount: { type: ["integer", "null"] },
    estimatedRows: { type: ["integer", "null"], description: "while queued or running: rows expected" },
    sha256: { type: ["string", "null"], description: "hex SHA-256 of the file" },
    fileBytes: { type: ["integer", "null"] },
    error: { type: ["string", "null"] },
    manifest: { type: ["object", "null"], description: "GET /exports/{id} only, once succeeded" },
    links: {
      type: "object",
      properties: {
        self: { type: "string" },
        file: { type: ["string", "null"] },
        manifest: { type: ["string", "null"] },
      },
    },
  },
};
const deploymentJson: Json = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    model: { type: "object", properties: { id: { type: "string" }, publicName: { type: "string" } } },
    driver: { type: "string", enum: ["kubernetes", "docker", "external", "simulator"] },
    spec: { type: "object", description: "environment values read as ***" },
    desiredState: { type: "string" },
    desiredReplicas: { type: "integer" },
    generation: { type: "integer" },
    observedGeneration: { type: "integer" },
    phase: { type: "string" },
    reason: { type: ["string", "null"] },
    message: { type: ["string", "null"] },
    readyReplicas: { type: "integer" },
    deletedAt: { type: ["string", "null"], format: "date-time" },
    replicas: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          endpoint: { type: "string" },
          health: { type: "string" },
          routingState: { type: ["string", "null"], description: "state in the gateways' replica table" },
          runningRequests: { type: "integer" },
          waitingRequests: { type: "integer" },
          kvCacheUsage: { type: ["number", "null"] },
          lastError: { type: ["string", "null"] },
        },
      },
    },
  },
};
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const file = (type: string, description: string): Json => ({
  description,
  headers: {
    "Repr-Digest": { description: "sha-256 of the body (RFC 9530), data files only", schema: { type: "string" } },
  },
  content: { [type]: { schema: { type: "string" } } },
});
const exportId = path("exportId", "export id (`exp_…`)");
const visionPolicy: Json = {
  type: "object",
  properties: {
    id: { type: "string" },
    teamId: { type: "string" },
    modelId: { type: "string", description: "the text model the policy applies to" },
    model: { type: "string", description: "its public name" },
    mode: {
      type: "string",
      enum: ["placeholder", "reject", "describe", "route"],
      description:
        "placeholder: a text stand-in for each image (no policy behaves so); reject: 400 invalid_request_error; " +
        "describe: the vision model describes each new image for the text model (cached by image hash); " +
        "route: the whole request goes to the vision model",
    },
    visionModelId: { type: ["string", "null"], description: "null: the organization's only vision model" },
    visionModel: { type: ["string", "null"] },
    updatedAt: { type: "string", format: "date-time" },
  },
};
const modelId = path("modelId", "model id (`mdl_…`)");
const deploymentId = path("deploymentId", "deployment id (`dep_…`)");

/**
 * The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Every path here has a
 * route file under `app/api/v1/` and the other way round (a test checks both directions).
 */
export function openApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Perimeter admin API",
      version: "1",
      description:
        "Teams, members, API keys, limits, usage, exports, models, deployments and the audit log of a Perimeter organization. Authenticate with an " +
        "admin-scope token (`Authorization: Bearer sk-prm-…`, or `x-api-key`). Every write leaves an audit event " +
        "with the token as actor and the caller's address and user agent. Limits: omitted fields are left as " +
        "they are, null removes a limit at that level; every level (organization, team, member, key) applies. " +
        "Deployment changes are desired state: they answer 202 and the worker's reconciler acts within seconds.",
    },
    components: {
      securitySchemes: { adminToken: { type: "http", scheme: "bearer", bearerFormat: "sk-prm-…" } },
      schemas: {
        Error: errorEnvelope,
        ApiKey: key,
        Limits: limits,
        VisionPolicy: visionPolicy,
        UsageReport: usageReport,
        Export: exportJson,
        Deployment: deploymentJson,
      },
    },
    paths: {
      "/api/v1/teams": {
        get: operation("List teams", { "200": json({ type: "object" }, "teams with member and key counts") }),
        post: operation(
          "Create a team",
          { "201": json({ type: "object", properties: { id: {}, name: {}, slug: {} } }, "the team") },
          withBody(createTeamInputSchema),
        ),
      },
      "/api/v1/teams/{teamId}": {
        get: operation(
          "Get a team and its members",
          { "200": json({ type: "object" }, "the team") },
          { parameters: [teamId] },
        ),
      },
      "/api/v1/teams/{teamId}/members": {
        post: operation(
          "Add a member (existing user) or invite one (new email; the response has a single-use sign-up link)",
          { "201": json({ type: "object" }, "the membership, and `invitation` {url, expiresAt} for new people") },
          { parameters: [teamId], ...withBody(addTeamMemberInputSchema.omit({ teamId: true })) },
        ),
      },
      "/api/v1/teams/{teamId}/members/{memberId}": {
        delete: operation(
          "Remove a member; their keys in the team are revoked",
          { "200": json({ type: "object" }, "the member id and revoked key ids") },
          { parameters: [teamId, path("memberId", "member id (`mem_…`)")] },
        ),
      },
      "/api/v1/teams/{teamId}/keys": {
        get: operation(
          "List the team's keys (`?all=1` includes revoked ones)",
          { "200": json({ type: "object" }, "keys") },
          { parameters: [teamId] },
        ),
        post: operation(
          "Create an inference key, optionally with expiry, owner and limits (atomic)",
          { "201": json(keyWithSecret, "the key; `key` is the secret and is never shown again") },
          { parameters: [teamId], ...withBody(apiCreateKeySchema) },
        ),
      },
      "/api/v1/teams/{teamId}/limits": {
        put: operation(
          "Set the team's limits",
          { "200": json(limits, "the team's stored limits") },
          {
            parameters: [teamId],
            ...withBody(apiLimitsSchema),
          },
        ),
      },
      "/api/v1/teams/{teamId}/vision-policies": {
        get: operation(
          "List the team's vision policies: what happens to images it sends to each text-only model",
          {
            "200": json(
              { type: "object", properties: { policies: { type: "array", items: visionPolicy } } },
              "policies",
            ),
          },
          { parameters: [teamId] },
        ),
      },
      "/api/v1/teams/{teamId}/vision-policies/{modelId}": {
        put: operation(
          "Set the team's vision policy for a text-only model (gateways apply it at once)",
          { "200": json(visionPolicy, "the stored policy, with `created`") },
          { parameters: [teamId, modelId], ...withBody(apiVisionPolicySchema) },
        ),
      },
      "/api/v1/keys/{keyId}": {
        delete: operation(
          "Revoke a key at once (`?reason=`)",
          { "200": json(key, "the revoked key") },
          { parameters: [keyId] },
        ),
      },
      "/api/v1/keys/{keyId}/limits": {
        put: operation(
          "Set one key's limits",
          { "200": json(limits, "the key's stored limits") },
          {
            parameters: [keyId],
            ...withBody(apiLimitsSchema),
          },
        ),
      },
      "/api/v1/keys/{keyId}/rotate": {
        post: operation(
          "Replace a key; the old one keeps working for the grace period",
          { "201": json(keyWithSecret, "the successor; `key` is its secret, shown once") },
          { parameters: [keyId], ...withBody(rotateApiKeyInputSchema.omit({ keyId: true })) },
        ),
      },
      "/api/v1/audit": {
        get: operation(
          "List audit events, newest first",
          { "200": json({ type: "object" }, "{events, nextCursor}") },
          {
            parameters: auditQuery,
          },
        ),
      },
      "/api/v1/audit/verify": {
        get: operation("Verify the audit hash chain", { "200": json({ type: "object" }, "chain status") }),
      },
      "/api/v1/usage": {
        get: operation(
          "Usage over time from the rollups, grouped and filtered",
          { "200": json(ref("UsageReport"), "one page of buckets") },
          { parameters: usageQuery },
        ),
      },
      "/api/v1/usage/events": {
        get: operation(
          "The request log, newest first (metadata and token counts, never prompt text)",
          { "200": json({ type: "object" }, "{data, hasMore, nextCursor}") },
          { parameters: eventsQuery },
        ),
      },
      "/api/v1/exports": {
        get: operation(
          "List exports, newest first",
          { "200": json({ type: "object" }, "{exports}") },
          {
            parameters: [query("limit", "at most 200", { type: "integer", default: 50 })],
          },
        ),
        post: operation(
          "Ask for an export of usage or audit rows (a background job of the worker)",
          { "202": json(ref("Export"), "the export, queued") },
          withBody(exportRequestSchema),
        ),
      },
      "/api/v1/exports/{exportId}": {
        get: operation(
          "An export's status, progress, manifest and download links",
          { "200": json(ref("Export"), "the export") },
          { parameters: [exportId] },
        ),
      },
      "/api/v1/exports/{exportId}/file": {
        get: operation(
          "Download the export's file (streamed)",
          { "200": file("text/csv", "the CSV or JSONL file") },
          { parameters: [exportId] },
        ),
      },
      "/api/v1/exports/{exportId}/manifest": {
        get: operation(
          "Download the export's manifest (row count, columns, SHA-256, snapshot time)",
          { "200": file("application/json", "the manifest") },
          { parameters: [exportId] },
        ),
      },
      "/api/v1/models": {
        get: operation("List the model catalog", { "200": json({ type: "object" }, "{models}") }),
        post: operation(
          "Add a model",
          { "201": json({ type: "object" }, "the model") },
          withBody(createModelInputSchema),
        ),
      },
      "/api/v1/models/{modelId}": {
        patch: operation(
          "Edit a model (only the fields sent); serving fields roll its deployments",
          { "200": json({ type: "object" }, "the model and rolledDeploymentIds") },
          { parameters: [modelId], ...withBody(createModelInputSchema.partial()) },
        ),
      },
      "/api/v1/deployments": {
        get: operation("List deployments with live status", { "200": json({ type: "object" }, "{deployments}") }),
        post: operation(
          "Create a deployment of a catalog model",
          { "201": json(ref("Deployment"), "the deployment, pending") },
          // Core takes the spec as an object and checks it for the driver; the document shows its fields.
          withBody(createDeploymentInputSchema.extend({ spec: deploymentSpecSchema.optional() })),
        ),
      },
      "/api/v1/deployments/{deploymentId}": {
        get: operation(
          "A deployment: phase, reason, message, replicas with health and load",
          { "200": json(ref("Deployment"), "the deployment") },
          { parameters: [deploymentId] },
        ),
        patch: operation(
          "Replace the spec and/or model (env values sent as *** keep the stored ones)",
          { "202": json(ref("Deployment"), "the deployment; the reconciler rolls it") },
          {
            parameters: [deploymentId],
            ...withBody(
              updateDeploymentRequestSchema
                .omit({ deploymentId: true })
                .extend({ spec: deploymentSpecSchema.optional() }),
            ),
          },
        ),
        delete: operation(
          "Delete a deployment (replicas drain, then everything is removed)",
          { "202": json(ref("Deployment"), "the deployment, being deleted") },
          { parameters: [deploymentId] },
        ),
      },
      "/api/v1/deployments/{deploymentId}/scale": {
        post: operation(
          "Set the number of replicas",
          { "202": json(ref("Deployment"), "the deployment") },
          { parameters: [deploymentId], ...withBody(z.strictObject({ replicas: z.int().min(0).max(64) })) },
        ),
      },
      "/api/v1/deployments/{deploymentId}/stop": {
        post: operation(
          "Stop: replicas leave routing, drain and stop; the spec is kept",
          { "202": json(ref("Deployment"), "the deployment") },
          { parameters: [deploymentId] },
        ),
      },
      "/api/v1/deployments/{deploymentId}/start": {
        post: operation(
          "Start a stopped deployment",
          { "202": json(ref("Deployment"), "the deployment") },
          {
            parameters: [deploymentId],
          },
        ),
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } },
      },
    },
  };
}
