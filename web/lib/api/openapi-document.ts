import { createTeamInputSchema, rotateApiKeyInputSchema } from "@perimeter/core";
import { z } from "zod";
import { addTeamMemberInputSchema } from "../operations/members";
import { apiLimitsSchema } from "./api-limits";
import { apiCreateKeySchema } from "./endpoints/key-endpoints";

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
        "Teams, members, API keys, limits and the audit log of a Perimeter organization. Authenticate with an " +
        "admin-scope token (`Authorization: Bearer sk-prm-…`, or `x-api-key`). Every write leaves an audit event " +
        "with the token as actor and the caller's address and user agent. Limits: omitted fields are left as " +
        "they are, null removes a limit at that level; every level (organization, team, member, key) applies.",
    },
    components: {
      securitySchemes: { adminToken: { type: "http", scheme: "bearer", bearerFormat: "sk-prm-…" } },
      schemas: { Error: errorEnvelope, ApiKey: key, Limits: limits },
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
      "/api/v1/openapi.json": {
        get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } },
      },
    },
  };
}
