import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { revokeApiKey, verifyApiKey } from "@perimeter/core";
import { createDb, randomBase32 } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWebFixture, testKeyPepper, type WebFixture } from "../testing/web-fixture";
import { adminRoute, type Endpoint } from "./admin-route";
import { listAuditEndpoint, verifyAuditEndpoint } from "./endpoints/audit-endpoints";
import {
  createKeyEndpoint,
  listTeamKeysEndpoint,
  revokeKeyEndpoint,
  rotateKeyEndpoint,
} from "./endpoints/key-endpoints";
import { putKeyLimitsEndpoint, putTeamLimitsEndpoint } from "./endpoints/limit-endpoints";
import {
  addMemberEndpoint,
  createTeamEndpoint,
  getTeamEndpoint,
  listTeamsEndpoint,
  removeMemberEndpoint,
} from "./endpoints/team-endpoints";
import { openApiDocument } from "./openapi-document";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());
const services = () => ({ db, keyPepper: testKeyPepper, log: silentLogger, webPublicUrl: "https://perimeter.example" });

interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  endpoint: Endpoint;
  /** The path parameters and body of a call that succeeds as admin. */
  call: (fx: WebFixture) => { params: Record<string, string>; body?: unknown; query?: string };
  status: number;
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
  const text = await response.text();
  return {
    status: response.status,
    json: text ? JSON.parse(text) : null,
    requestId: response.headers.get("request-id"),
  };
}

describe("admin API: every route", () => {
  for (const route of routes) {
    it(`${route.method} ${route.path}: 401 without a token, 401 revoked, 403 inference key, ${route.status} as admin`, async () => {
      const fx = await createWebFixture(db);
      const { params, body, query } = route.call(fx);
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
        /export const (GET|POST|PUT|DELETE) = adminRoute\((\w+)\)/g,
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

  it("an unknown team is 404, not 403", async () => {
    const result = await send(getTeamEndpoint, "GET", { token: admin(), params: { teamId: "team_doesnotexist" } });
    expect(result.status).toBe(404);
  });
});
