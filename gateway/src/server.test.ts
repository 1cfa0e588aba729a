import type { AddressInfo } from "node:net";
import type { Logger } from "@perimeter/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "./server.ts";
import type { GatewayServices } from "./services.ts";

// The server's own failure path, with only what the routes touch before they fail.
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(services: Partial<GatewayServices>) {
  const errors: { msg: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    info() {},
    warn() {},
    error: (msg, fields) => errors.push({ msg, ...(fields ? { fields } : {}) }),
  };
  const server = createServer({ log, ...services } as GatewayServices);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, errors };
}

describe("createServer", () => {
  it("answers a handler that rejects with a 500 api_error carrying the request id, and logs it", async () => {
    const { url, errors } = await serve({
      metrics: {
        registry: { metrics: () => Promise.reject(new Error("registry broke")) },
      } as unknown as GatewayServices["metrics"],
    });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(500);
    const requestId = res.headers.get("request-id");
    expect(requestId).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "api_error", message: "Internal server error" },
      request_id: requestId,
    });
    expect(errors).toEqual([
      { msg: "request failed", fields: { requestId, method: "GET", path: "/metrics", error: "registry broke" } },
    ]);
  });

  it("answers a failure in a generation route's own wrapper the same way", async () => {
    const { url, errors } = await serve({
      metrics: {
        begin() {
          throw new Error("metrics broke");
        },
      } as unknown as GatewayServices["metrics"],
    });
    const res = await fetch(`${url}/v1/messages`, { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("api_error");
    expect(errors.map((entry) => [entry.msg, entry.fields?.error])).toEqual([["request failed", "metrics broke"]]);
  });
});
