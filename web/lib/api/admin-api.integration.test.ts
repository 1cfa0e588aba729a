import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { exportQueueName, revokeApiKey, verifyApiKey } from "@perimeter/core";
import { createDb, randomBase32 } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { runExport } from "@perimeter/worker/src/exports/run-export.ts";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestExportAs } from "../operations/exports";
import { createWebFixture, testKeyPepper, type WebFixture } from "../testing/web-fixture";
import { adminRoute, type Endpoint } from "./admin-route";
import { listAuditEndpoint, verifyAuditEndpoint } from "./endpoints/audit-endpoints";
import {
  createDeploymentEndpoint,
  deleteDeploymentEndpoint,
  getDeploymentEndpoint,
  listDeploymentsEndpoint,
  scaleDeploymentEndpoint,
  startDeploymentEndpoint,
  stopDeploymentEndpoint,
  updateDeploymentEndpoint,
} from "./endpoints/deployment-endpoints";
import {
  exportFileEndpoint,
  exportManifestEndpoint,
  getExportEndpoint,
  listExportsEndpoint,
  requestExportEndpoint,
} from "./endpoints/export-endpoints";
import {
  createKeyEndpoint,
  listTeamKeysEndpoint,
  revokeKeyEndpoint,
  rotateKeyEndpoint,
} from "./endpoints/key-endpoints";
import { putKeyLimitsEndpoint, putTeamLimitsEndpoint } from "./endpoints/limit-endpoints";
import { createModelEndpoint, listModelsEndpoint, updateModelEndpoint } from "./endpoints/model-endpoints";
import {
  addMemberEndpoint,
  createTeamEndpoint,
  getTeamEndpoint,
  listTeamsEndpoint,
  removeMemberEndpoint,
} from "./endpoints/team-endpoints";
import { usageEventsEndpoint, usageReportEndpoint } from "./endpoints/usage-endpoints";
import { listVisionPoliciesEndpoint, putVisionPolicyEndpoint } from "./endpoints/vision-policy-endpoints";
import { openApiDocument } from "./openapi-document";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
// Jobs go to a queue prefix of their own, which no worker on this machine reads.
const exportQueue = new Queue(exportQueueName, { connection: redis, prefix: `perimeter-web-test-${randomBase32(8)}` });
let exportDir = "";
beforeAll(async () => {
  exportDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-web-api-exports-"));
});
afterAll(async () => {
  await exportQueue.obliterate({ force: true });
  await exportQueue.close();
  redis.disconnect();
  await rm(exportDir, { recursive: true, force: true });
  await db.$disconnect();
});
const services = () => ({
  db,
  keyPepper: testKeyPepper,
  log: silentLogger,
  webPublicUrl: "https://perimeter.example",
  exportQueue,
  exportDir,
});

type Call = { params: Record<string, string>; body?: unknown; query?: string };

interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  endpoint: Endpoint;
  /** The path parameters and body of a call that succeeds as admin. */
  call: (fx: WebFixture) => Call | Promise<Call>;
  status: number;
}

const lastHour = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() });

/** An export of the fixture's audit log, written by the worker's export job. */
async function finishedExport(fx: WebFixture): Promise<string> {
  const requested = await requestExportAs(fx.env, fx.principals.admin, { kind: "audit", filter: lastHour() });
  if (!requested.ok) throw new Error(requested.message);
  await runExport({ db, exportDir }, { exportId: requested.value.id, orgId: fx.orgId });
  return requested.value.id;
}

// Every route of /api/v1 (a test below checks this list against the route files and the OpenAPI document).
const routes: Route[] = [
  { method: "GET", path: "/api/v1/teams", endpoint: listTeamsEndpoint, call: () => ({ params: {} }), status: 200 },
  {
    method: "POST",
    path: "/api/v1/teams",
    endpoint: createTeamEndpoint,
    call: () => ({ params: {}, body: { name: `Platform ${randomBase32(5)}` } }),
    status: 201,
  },
  {
    method: "GET",
    path: "/api/v1/teams/{teamId}",
    endpoint: getTeamEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a } }),
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/teams/{teamId}/members",
    endpoint: addMemberEndpoint,
    call: (fx) => ({
      params: { teamId: fx.teams.a },
      body: { email: `m-${randomBase32(5)}@example.test`, role: "developer" },
    }),
    status: 201,
  },
  {
    method: "DELETE",
    path: "/api/v1/teams/{teamId}/members/{memberId}",
    endpoint: removeMemberEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a, memberId: fx.members.developerA } }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/teams/{teamId}/keys",
    endpoint: listTeamKeysEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a } }),
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/teams/{teamId}/keys",
    endpoint: createKeyEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a }, body: { name: "ci" } }),
    status: 201,
  },
  {
    method: "PUT",
    path: "/api/v1/teams/{teamId}/limits",
    endpoint: putTeamLimitsEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a }, body: { requestsPerMinute: 60 } }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/teams/{teamId}/vision-policies",
    endpoint: listVisionPoliciesEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a } }),
    status: 200,
  },
  {
    method: "PUT",
    path: "/api/v1/teams/{teamId}/vision-policies/{modelId}",
    endpoint: putVisionPolicyEndpoint,
    call: (fx) => ({ params: { teamId: fx.teams.a, modelId: fx.models.builtin }, body: { mode: "reject" } }),
    status: 200,
  },
  {
    method: "DELETE",
    path: "/api/v1/keys/{keyId}",
    endpoint: revokeKeyEndpoint,
    call: (fx) => ({ params: { keyId: fx.keys.serviceA } }),
    status: 200,
  },
  {
    method: "PUT",
    path: "/api/v1/keys/{keyId}/limits",
    endpoint: putKeyLimitsEndpoint,
    call: (fx) => ({ params: { keyId: fx.keys.developerA }, body: { maxTokens: 2048 } }),
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/keys/{keyId}/rotate",
    endpoint: rotateKeyEndpoint,
    call: (fx) => ({ params: { keyId: fx.keys.developerA }, body: { gracePeriodSec: 300 } }),
    status: 201,
  },
  {
    method: "GET",
    path: "/api/v1/audit",
    endpoint: listAuditEndpoint,
    call: () => ({ params: {}, query: "limit=5" }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/audit/verify",
    endpoint: verifyAuditEndpoint,
    call: () => ({ params: {} }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/usage",
    endpoint: usageReportEndpoint,
    call: () => ({ params: {}, query: `start=${lastHour().from}&bucket=1h&groupBy=team,model` }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/usage/events",
    endpoint: usageEventsEndpoint,
    call: (fx) => ({ params: {}, query: `teamId=${fx.teams.a}&status=error&limit=10` }),
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/exports",
    endpoint: requestExportEndpoint,
    call: (fx) => ({
      params: {},
      body: { kind: "usage", format: "jsonl", filter: { ...lastHour(), teamId: fx.teams.a } },
    }),
    status: 202,
  },
  { method: "GET", path: "/api/v1/exports", endpoint: listExportsEndpoint, call: () => ({ params: {} }), status: 200 },
  {
    method: "GET",
    path: "/api/v1/exports/{exportId}",
    endpoint: getExportEndpoint,
    call: async (fx) => ({ params: { exportId: await finishedExport(fx) } }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/exports/{exportId}/file",
    endpoint: exportFileEndpoint,
    call: async (fx) => ({ params: { exportId: await finishedExport(fx) } }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/exports/{exportId}/manifest",
    endpoint: exportManifestEndpoint,
    call: async (fx) => ({ params: { exportId: await finishedExport(fx) } }),
    status: 200,
  },
  { method: "GET", path: "/api/v1/models", endpoint: listModelsEndpoint, call: () => ({ params: {} }), status: 200 },
  {
    method: "POST",
    path: "/api/v1/models",
    endpoint: createModelEndpoint,
    call: () => ({
      params: {},
      body: {
        publicName: `qwen-${randomBase32(4)}`,
        servedName: "qwen",
        hfRepo: "Qwen/Qwen3-8B",
        contextLength: 32_768,
      },
    }),
    status: 201,
  },
  {
    method: "PATCH",
    path: "/api/v1/models/{modelId}",
    endpoint: updateModelEndpoint,
    call: (fx) => ({ params: { modelId: fx.models.builtin }, body: { maxOutputTokens: 32_000 } }),
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/deployments",
    endpoint: listDeploymentsEndpoint,
    call: () => ({ params: {} }),
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/deployments",
    endpoint: createDeploymentEndpoint,
    call: (fx) => ({
      params: {},
      body: { name: "sim-2", modelId: fx.models.builtin, driver: "simulator", spec: { simulator: { startupMs: 50 } } },
    }),
    status: 201,
  },
  {
    method: "GET",
    path: "/api/v1/deployments/{deploymentId}",
    endpoint: getDeploymentEndpoint,
    call: (fx) => ({ params: { deploymentId: fx.deployments.simulator } }),
    status: 200,
  },
  {
    method: "PATCH",
    path: "/api/v1/deployments/{deploymentId}",
    endpoint: updateDeploymentEndpoint,
    call: (fx) => ({ params: { deploymentId: fx.deployments.simulator }, body: { spec: { preStopSec: 0 } } }),
    status: 202,
  },
  {
    method: "DELETE",
    path: "/api/v1/deployments/{deploymentId}",
    endpoint: deleteDeploymentEndpoint,
    call: (fx) => ({ params: { deploymentId: fx.deployments.simulator } }),
    status: 202,
  },
  {
    method: "POST",
    path: "/api/v1/deployments/{deploymentId}/scale",
    endpoint: scaleDeploymentEndpoint,
    call: (fx) => ({ params: { deploymentId: fx.deployments.simulator }, body: { replicas: 2 } }),
    status: 202,
  },
  {
    method: "POST",
    path: "/api/v1/deployments/{deploymentId}/stop",
    endpoint: stopDeploymentEndpoint,
    call: (fx) => ({ params: { deploymentId: fx.deployments.simulator } }),
    status: 202,
  },
  {
    method: "POST",
    path: "/api/v1/deployments/{deploymentId}/start",
    endpoint: startDeploymentEndpoint,
    // The fixture's deployment is running: stop it first, so starting it is a change.
    call: async (fx) => {
      await db.deployment.update({ where: { id: fx.deployments.simulator }, data: { desiredState: "stopped" } });
      return { params: { deploymentId: fx.deployments.simulator } };
    },
    status: 202,
  },
];

async function send(
  endpoint: Endpoint,
  method: string,
  options: { token?: string; params?: Record<string, string>; body?: unknown; rawBody?: string; query?: string },
) {
  const headers = new Headers({ "user-agent": "api-test/1.0", "x-forwarded-for": "198.51.100.23" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const request = new Request(`http://localhost/api/v1/x${options.query ? `?${options.query}` : ""}`, {
    method,
    headers,
    body,
  });
  const response = await adminRoute(endpoint, services)(request, { params: Promise.resolve(options.params ?? {}) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString("utf8");
  const isJson = response.headers.get("content-type")?.startsWith("application/json") && text;
  return {
    status: response.status,
    json: isJson ? JSON.parse(text) : null,
    bytes,
    headers: response.headers,
    requestId: response.headers.get("request-id"),
  };
}

describe("admin API: every route", () => {
  for (const route of routes) {
    it(`${route.method} ${route.path}: 401 without a token, 401 revoked, 403 inference key, ${route.status} as admin`, async () => {
      const fx = await createWebFixture(db);
      const { params, body, query } = await route.call(fx);
      const missing = await send(route.endpoint, route.method, { params, body, query });
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ error: { type: "authentication_error" }, requestId: missing.requestId });
      const inference = await send(route.endpoint, route.method, { token: fx.secrets.developerA, params, body, query });
      expect(inference.status).toBe(403);
      expect(inference.json.error.type).toBe("permission_error");

      const auditBefore = await db.auditEvent.count({ where: { orgId: fx.orgId } });
      const ok = await send(route.endpoint, route.method, { token: fx.secrets.adminToken, params, body, query });
      expect(ok.status, JSON.stringify(ok.json)).toBe(route.status);
      expect(ok.requestId).toMatch(/^req_/);
      if (route.method !== "GET") {
        const events = await db.auditEvent.findMany({
          where: { orgId: fx.orgId },
          orderBy: { seq: "asc" },
          skip: auditBefore,
        });
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) {
          expect(event).toMatchObject({
            actorType: "api_key",
            ip: "198.51.100.23",
            userAgent: "api-test/1.0",
            requestId: ok.requestId,
          });
        }
      }

      await revokeApiKey(
        { db, orgId: fx.orgId, actor: { type: "system", label: "test" }, keyPepper: testKeyPepper },
        { keyId: fx.principals.apiToken.actor.type === "api_key" ? fx.principals.apiToken.actor.id : "" },
      );
      const revoked = await send(route.endpoint, route.method, { token: fx.secrets.adminToken, params, body, query });
      expect(revoked).toMatchObject({ status: 401, json: { error: { message: "this API token has been revoked" } } });
    });
  }

  it("lists exactly the routes that exist as route files and in the OpenAPI document", () => {
    const apiDir = path.join(import.meta.dirname, "../../app/api/v1");
    const fromFiles = new Set<string>();
    for (const entry of readdirSync(apiDir, { recursive: true, withFileTypes: true })) {
      if (entry.name !== "route.ts") continue;
      const file = path.join(entry.parentPath, entry.name);
      const route = `/api/v1/${path.relative(apiDir, entry.parentPath)}`
        .replace(/\/$/, "")
        .replace(/\[(\w+)\]/g, "{$1}");
      for (const match of readFileSync(file, "utf8").matchAll(
        /export const (GET|POST|PUT|PATCH|DELETE) = adminRoute\((\w+)\)/g,
      )) {
        fromFiles.add(`${match[1]} ${route} ${match[2]}`);
      }
    }
    expect(fromFiles).toEqual(new Set(routes.map((r) => `${r.method} ${r.path} ${r.endpoint.name}`)));
    const documented = new Set(
      Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
      ),
    );
    expect(documented).toEqual(new Set([...routes.map((r) => `${r.method} ${r.path}`), "GET /api/v1/openapi.json"]));
  });
});

describe("admin API: contracts and errors", () => {
  let fx: WebFixture;
  beforeAll(async () => {
    fx = await createWebFixture(db);
  });
  const admin = () => fx.secrets.adminToken;

  it("POST /teams → 201 {id,name}; the same name again → 409; no name → 400 with a field message", async () => {
    const name = `Payments ${randomBase32(5)}`;
    const created = await send(createTeamEndpoint, "POST", { token: admin(), body: { name } });
    expect(created).toMatchObject({ status: 201, json: { id: expect.stringMatching(/^team_/), name } });
    const again = await send(createTeamEndpoint, "POST", { token: admin(), body: { name } });
    expect(again).toMatchObject({ status: 409, json: { error: { type: "conflict" } } });
    const bad = await send(createTeamEndpoint, "POST", { token: admin(), body: { nme: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toHaveProperty("name");
    const notJson = await send(createTeamEndpoint, "POST", { token: admin(), rawBody: "{nope" });
    expect(notJson).toMatchObject({ status: 400, json: { error: { message: "the request body is not valid JSON" } } });
  });

  it("POST /teams/{id}/keys returns the secret once, with limits written in the same transaction", async () => {
    const created = await send(createKeyEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.a },
      body: {
        name: "ci runner",
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        ownerEmail: fx.principals.developerA.email,
        limits: { requestsPerMinute: 30, tokensPerDay: 1_000_000, models: ["umans-coder-v0"] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^key_/),
      name: "ci runner",
      ownerUserId: fx.users.developerA,
    });
    expect(created.json.key).toMatch(/^sk-prm-/);
    expect(created.json.last4).toBe(created.json.key.slice(-4));
    expect(await verifyApiKey({ db, keyPepper: testKeyPepper }, created.json.key)).toMatchObject({ ok: true });
    const policy = await db.limitPolicy.findUniqueOrThrow({ where: { apiKeyId: created.json.id } });
    expect(policy).toMatchObject({
      requestsPerMinute: 30,
      totalTokensPerDay: 1_000_000n,
      allowedModels: ["umans-coder-v0"],
    });
    const listed = await send(listTeamKeysEndpoint, "GET", { token: admin(), params: { teamId: fx.teams.a } });
    expect(JSON.stringify(listed.json)).not.toContain(created.json.key);
    expect(JSON.stringify(listed.json)).not.toContain('"hash"');
  });

  it("a key whose limits are invalid or above the organization's caps is not created at all", async () => {
    const count = () => db.apiKey.count({ where: { orgId: fx.orgId } });
    const before = await count();
    const bad = await send(createKeyEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.a },
      body: { name: "x", limits: { requestsPerMinute: -5, maxTokens: "lots" } },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["limits.maxTokens", "limits.requestsPerMinute"]);
    await send(putTeamLimitsEndpoint, "PUT", { token: admin(), params: { teamId: fx.teams.b }, body: {} });
    const orgCaps = await import("../operations/limits").then((m) =>
      m.setLimitsAs(fx.env, fx.principals.admin, { target: { type: "org" }, limits: { totalTokensPerDay: 5_000 } }),
    );
    expect(orgCaps.ok).toBe(true);
    const aboveCap = await send(createKeyEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.a },
      body: { name: "x", limits: { tokensPerDay: 10_000 } },
    });
    expect(aboveCap.status).toBe(400);
    expect(aboveCap.json.error.fields).toEqual({ tokensPerDay: "exceeds the organization's cap of 5,000" });
    expect(await count()).toBe(before);
  });

  it("PUT limits changes only the given fields; a key of another organization is 404", async () => {
    const first = await send(putKeyLimitsEndpoint, "PUT", {
      token: admin(),
      params: { keyId: fx.keys.developerB },
      body: { requestsPerMinute: 10, maxConcurrentRequests: 2 },
    });
    expect(first).toMatchObject({
      status: 200,
      json: { requestsPerMinute: 10, maxConcurrentRequests: 2, created: true },
    });
    const second = await send(putKeyLimitsEndpoint, "PUT", {
      token: admin(),
      params: { keyId: fx.keys.developerB },
      body: { requestsPerMinute: null },
    });
    expect(second.json).toMatchObject({ requestsPerMinute: null, maxConcurrentRequests: 2, created: false });
    const other = await createWebFixture(db);
    const foreign = await send(putKeyLimitsEndpoint, "PUT", {
      token: admin(),
      params: { keyId: other.keys.developerA },
      body: { requestsPerMinute: 1 },
    });
    expect(foreign).toMatchObject({ status: 404, json: { error: { type: "not_found" } } });
    const unknownField = await send(putTeamLimitsEndpoint, "PUT", {
      token: admin(),
      params: { teamId: fx.teams.a },
      body: { requestsPerHour: 1 },
    });
    expect(unknownField.status).toBe(400);
  });

  it("DELETE /keys/{id} revokes once; again is 409; the key no longer verifies", async () => {
    const first = await send(revokeKeyEndpoint, "DELETE", { token: admin(), params: { keyId: fx.keys.developerA } });
    expect(first).toMatchObject({ status: 200, json: { id: fx.keys.developerA, revokedAt: expect.any(String) } });
    const again = await send(revokeKeyEndpoint, "DELETE", { token: admin(), params: { keyId: fx.keys.developerA } });
    expect(again.status).toBe(409);
    expect(await verifyApiKey({ db, keyPepper: testKeyPepper }, fx.secrets.developerA)).toEqual({
      ok: false,
      code: "REVOKED",
    });
  });

  it("POST members invites a new person with a link and adds an existing one; a duplicate is 409", async () => {
    const email = `new-${randomBase32(5)}@example.test`;
    const invited = await send(addMemberEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.b },
      body: { email, role: "team_admin" },
    });
    expect(invited).toMatchObject({ status: 201, json: { email, role: "team_admin" } });
    expect(invited.json.invitation.url).toMatch(/^https:\/\/perimeter\.example\/invite\/[A-Za-z0-9_-]{43}$/);
    const existing = await send(addMemberEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.b },
      body: { email: fx.principals.teamAdminA.email },
    });
    expect(existing).toMatchObject({ status: 201, json: { invitation: null, role: "developer" } });
    const duplicate = await send(addMemberEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.b },
      body: { email },
    });
    expect(duplicate.status).toBe(409);
    const badRole = await send(addMemberEndpoint, "POST", {
      token: admin(),
      params: { teamId: fx.teams.b },
      body: { email: "x@example.test", role: "owner" },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.json.error.fields).toHaveProperty("role");
  });

  it("GET /audit filters and pages; bad filters are 400; the chain verifies", async () => {
    const page = await send(listAuditEndpoint, "GET", { token: admin(), query: "action=team_member.*&limit=1" });
    expect(page.status).toBe(200);
    expect(page.json.events).toHaveLength(1);
    expect(page.json.events[0].action).toMatch(/^team_member\./);
    const bad = await send(listAuditEndpoint, "GET", { token: admin(), query: "from=yesterday" });
    expect(bad).toMatchObject({ status: 400, json: { error: { fields: { from: expect.any(String) } } } });
    const verified = await send(verifyAuditEndpoint, "GET", { token: admin() });
    expect(verified.json).toMatchObject({ ok: true });
  });

  it("GET /usage answers in the report's shape and names bad parameters by their query names", async () => {
    const report = await send(usageReportEndpoint, "GET", {
      token: admin(),
      query: `start=${encodeURIComponent(new Date(Date.now() - 2 * 3_600_000).toISOString())}&bucket=1h&groupBy=key,user`,
    });
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ has_more: false, next_page: null });
    expect(report.json.data.length).toBeGreaterThanOrEqual(2);
    expect(report.json.data[0]).toEqual({
      starting_at: expect.any(String),
      ending_at: expect.any(String),
      results: expect.any(Array),
    });
    const missing = await send(usageReportEndpoint, "GET", { token: admin(), query: "bucket=1w&groupBy=team,region" });
    expect(missing).toMatchObject({
      status: 400,
      json: { error: { fields: { groupBy: "unknown dimension: region" } } },
    });
    const noStart = await send(usageReportEndpoint, "GET", { token: admin(), query: "bucket=1w" });
    expect(Object.keys(noStart.json.error.fields).sort()).toEqual(["bucket", "start"]);
    const badCursor = await send(usageEventsEndpoint, "GET", { token: admin(), query: "cursor=nope" });
    expect(badCursor).toMatchObject({ status: 400, json: { error: { fields: { cursor: expect.any(String) } } } });
  });

  it("POST /exports → 202 with links; once written, /file streams the bytes the SHA-256 names", async () => {
    const queued = await send(requestExportEndpoint, "POST", {
      token: admin(),
      body: { kind: "audit", format: "csv", filter: lastHour() },
    });
    expect(queued).toMatchObject({
      status: 202,
      json: { status: "queued", kind: "audit", links: { self: `/api/v1/exports/${queued.json.id}`, file: null } },
    });
    const early = await send(exportFileEndpoint, "GET", { token: admin(), params: { exportId: queued.json.id } });
    expect(early).toMatchObject({ status: 409, json: { error: { type: "conflict" } } });
    await runExport({ db, exportDir }, { exportId: queued.json.id, orgId: fx.orgId });
    const done = await send(getExportEndpoint, "GET", { token: admin(), params: { exportId: queued.json.id } });
    expect(done.json).toMatchObject({
      status: "succeeded",
      links: { file: `/api/v1/exports/${queued.json.id}/file` },
      manifest: { rowCount: done.json.rowCount, sha256: done.json.sha256, columns: expect.arrayContaining(["hash"]) },
    });
    const file = await send(exportFileEndpoint, "GET", { token: admin(), params: { exportId: queued.json.id } });
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(createHash("sha256").update(file.bytes).digest("hex")).toBe(done.json.sha256);
    const bad = await send(requestExportEndpoint, "POST", {
      token: admin(),
      body: { kind: "usage", format: "xlsx", filter: { from: "yesterday" } },
    });
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["filter.from", "filter.to", "format"]);
  });

  it("POST /deployments: field errors name the spec path; PATCH keeps masked env values", async () => {
    const bad = await send(createDeploymentEndpoint, "POST", {
      token: admin(),
      body: { name: "s", modelId: fx.models.builtin, driver: "simulator", spec: { simulator: { startupMs: "soon" } } },
    });
    expect(bad).toMatchObject({
      status: 400,
      json: { error: { fields: { "spec.simulator.startupMs": expect.any(String) } } },
    });
    const read = await send(getDeploymentEndpoint, "GET", {
      token: admin(),
      params: { deploymentId: fx.deployments.simulator },
    });
    expect(read.json.spec.env).toEqual({ HF_TOKEN: "***" });
    const patched = await send(updateDeploymentEndpoint, "PATCH", {
      token: admin(),
      params: { deploymentId: fx.deployments.simulator },
      body: { spec: { ...read.json.spec, drainTimeoutSec: 5 } },
    });
    expect(patched).toMatchObject({ status: 202, json: { spec: { drainTimeoutSec: 5, env: { HF_TOKEN: "***" } } } });
    const stored = await db.deployment.findUniqueOrThrow({ where: { id: fx.deployments.simulator } });
    expect(stored.spec).toMatchObject({ env: { HF_TOKEN: "hf_fixture_secret" } });
  });

  it("PUT /teams/{teamId}/vision-policies/{modelId}: stored, listed, audited; impossible policies name the field", async () => {
    const params = { teamId: fx.teams.b, modelId: fx.models.builtin };
    const noVision = await send(putVisionPolicyEndpoint, "PUT", { token: admin(), params, body: { mode: "describe" } });
    expect(noVision).toMatchObject({
      status: 400,
      json: { error: { type: "invalid_request", fields: { visionModelId: expect.stringContaining("no model") } } },
    });
    const badMode = await send(putVisionPolicyEndpoint, "PUT", { token: admin(), params, body: { mode: "blur" } });
    expect(badMode).toMatchObject({ status: 400, json: { error: { fields: { mode: expect.any(String) } } } });
    const vision = await db.model.create({
      data: {
        id: `mdl_${randomBase32(26)}`,
        orgId: fx.orgId,
        publicName: `vl-${randomBase32(5)}`,
        servedName: "vl",
        hfRepo: "example/vl",
        contextLength: 32_768,
        supportsVision: true,
      },
    });
    const set = await send(putVisionPolicyEndpoint, "PUT", {
      token: admin(),
      params,
      body: { mode: "describe", visionModelId: vision.id },
    });
    expect(set).toMatchObject({
      status: 200,
      json: { mode: "describe", model: "umans-coder-v0", visionModel: vision.publicName, created: true },
    });
    const listed = await send(listVisionPoliciesEndpoint, "GET", { token: admin(), params: { teamId: fx.teams.b } });
    expect(listed.json.policies).toEqual([expect.objectContaining({ id: set.json.id, mode: "describe" })]);
    const audit = await db.auditEvent.findFirst({ where: { orgId: fx.orgId, action: "vision_policy.set" } });
    expect(audit).toMatchObject({ targetId: set.json.id, teamId: fx.teams.b, actorType: "api_key" });
    const unknown = await send(putVisionPolicyEndpoint, "PUT", {
      token: admin(),
      params: { ...params, modelId: "mdl_doesnotexist" },
      body: { mode: "reject" },
    });
    expect(unknown.status).toBe(404);
  });

  it("vision policies follow the rights table: team admins set their team's, developers only read", async () => {
    const { getVisionPolicies, setVisionPolicyAs } = await import("../operations/vision-policies");
    const input = { teamId: fx.teams.a, modelId: fx.models.builtin, mode: "reject" };
    expect(await setVisionPolicyAs(fx.env, fx.principals.teamAdminA, input)).toMatchObject({ ok: true });
    expect(await setVisionPolicyAs(fx.env, fx.principals.developerA, input)).toMatchObject({ code: "FORBIDDEN" });
    expect(await setVisionPolicyAs(fx.env, fx.principals.auditor, input)).toMatchObject({ code: "FORBIDDEN" });
    expect(await setVisionPolicyAs(fx.env, fx.principals.developerB, input)).toMatchObject({ code: "NOT_FOUND" });
    expect(await getVisionPolicies(fx.env, fx.principals.developerA, fx.teams.a)).toMatchObject({
      ok: true,
      value: { canEdit: false, policies: [expect.objectContaining({ mode: "reject" })] },
    });
  });

  it("an unknown team is 404, not 403", async () => {
    const result = await send(getTeamEndpoint, "GET", { token: admin(), params: { teamId: "team_doesnotexist" } });
    expect(result.status).toBe(404);
  });
});
