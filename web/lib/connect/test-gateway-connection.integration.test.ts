import { closedPort } from "@perimeter/runtime/testing";
import { describe, expect, it } from "vitest";
import { testGatewayConnection } from "./test-gateway-connection";

// The success path needs the gateway's /v1/messages; the e2e journey covers it against the running stack.
describe("testGatewayConnection", () => {
  it("reports an unreachable gateway as a failed test instead of throwing", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await testGatewayConnection(url, "sk-prm-whatever");
    expect(result).toMatchObject({ passed: false, status: 0, errorType: "connection_error" });
    expect(result.passed || result.message).toContain(url);
  });
});
