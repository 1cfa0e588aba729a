import { setTimeout as delay } from "node:timers/promises";
import { createApiKey, revokeApiKey } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { userTurn } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";

const env = useSimAndGateway();

/** Every route that needs a key, and a request it would otherwise answer with 200. */
const routes = [
  { name: "POST /v1/messages", method: "POST", path: "/v1/messages?beta=true", body: userTurn("hi") },
  {
    name: "POST /v1/messages/count_tokens",
    method: "POST",
    path: "/v1/messages/count_tokens?beta=true",
    body: { model: "umans-coder-v0", messages: [{ role: "user", content: "hi" }] },
  },
  { name: "GET /v1/models", method: "GET", path: "/v1/models?limit=1000", body: undefined },
] as const;

function call(route: (typeof routes)[number], headers: Record<string, string>) {
  return fetch(`${env.gateway.url}${route.path}`, {
    method: route.method,
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    ...(route.body ? { body: JSON.stringify(route.body) } : {}),
  });
}

async function expectAuthError(res: Response, status: number, type: string, message: string) {
  expect(res.status).toBe(status);
  const requestId = res.headers.get("request-id");
  expect(requestId).toMatch(/^req_/);
  expect(res.headers.get("x-should-retry")).toBe("false");
  expect(await res.json()).toEqual({ type: "error", error: { type, message }, request_id: requestId });
}

describe.each(routes)("$name: the key suite", (route) => {
  it("T-02: accepts the key in x-api-key, in Authorization: Bearer, and in both", async () => {
    const variants: Record<string, string>[] = [
      { "x-api-key": env.gateway.token },
      { authorization: `Bearer ${env.gateway.token}` },
      { "x-api-key": env.gateway.token, authorization: `Bearer ${env.gateway.token}` },
    ];
    for (const headers of variants) {
      const res = await call(route, headers);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
  });

  it("T-02: accepts a good key in one header beside a stale one in the other", async () => {
    const stale = await env.gateway.newKey({ name: "stale" });
    await revokeApiKey(env.gateway.ctx, { keyId: stale.key.id });
    for (const headers of [
      { "x-api-key": stale.token, authorization: `Bearer ${env.gateway.token}` },
      { "x-api-key": env.gateway.token, authorization: `Bearer ${stale.token}` },
    ]) {
      const res = await call(route, headers);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
  });

  it("T-23: refuses a missing, malformed or unknown key with 401 authentication_error", async () => {
    await expectAuthError(
      await call(route, {}),
      401,
      "authentication_error",
      "missing API key: send it as x-api-key or Authorization: Bearer",
    );
    await expectAuthError(
      await call(route, { "x-api-key": "sk-ant-not-ours" }),
      401,
      "authentication_error",
      "invalid API key",
    );
    const unknown = `sk-prm-${"a".repeat(12)}-${"b".repeat(43)}`;
    await expectAuthError(
      await call(route, { authorization: `Bearer ${unknown}` }),
      401,
      "authentication_error",
      "invalid API key",
    );
    const wrongSecret = `${env.gateway.token.slice(0, -4)}AAAA`;
    await expectAuthError(
      await call(route, { "x-api-key": wrongSecret }),
      401,
      "authentication_error",
      "invalid API key",
    );
  });

  it("refuses a revoked key", async () => {
    const revoked = await env.gateway.newKey({ name: "revoked" });
    await revokeApiKey(env.gateway.ctx, { keyId: revoked.key.id });
    await expectAuthError(
      await call(route, { "x-api-key": revoked.token }),
      401,
      "authentication_error",
      "API key has been revoked",
    );
  });

  it("refuses an expired key", async () => {
    const expiring = await env.gateway.newKey({ name: "expiring", expiresAt: new Date(Date.now() + 300) });
    await delay(400);
    await expectAuthError(
      await call(route, { "x-api-key": expiring.token }),
      401,
      "authentication_error",
      "API key has expired",
    );
  });

  it("refuses an admin-scope key with 403 permission_error", async () => {
    const admin = await createApiKey(env.gateway.ctx, { name: "automation", scope: "admin" });
    if (!admin.ok) throw new Error(admin.code);
    await expectAuthError(
      await call(route, { "x-api-key": admin.secret }),
      403,
      "permission_error",
      "this is an admin API key; calling the model needs a team key",
    );
  });
});

describe("requests that need no key", () => {
  it("never forwards the client's key to vLLM", async () => {
    env.sim.enqueue({ content: "ok" });
    const res = await call(routes[0], { "x-api-key": env.gateway.token, authorization: `Bearer ${env.gateway.token}` });
    await res.text();
    const upstream = env.sim.requests().find((request) => request.path === "/v1/chat/completions");
    expect(JSON.stringify(upstream?.headers)).not.toContain(env.gateway.token);
  });
});
