import { describe, expect, it } from "vitest";
import { clientAddress, requestOrigin } from "./request-meta";

describe("clientAddress", () => {
  it("takes the last X-Forwarded-For hop, which the nearest proxy appended, not what the client claims", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.4" }))).toBe("203.0.113.4");
    expect(clientAddress({ "x-forwarded-for": "203.0.113.5" })).toBe("203.0.113.5");
    expect(clientAddress(new Headers({ "x-real-ip": "203.0.113.6" }))).toBe("203.0.113.6");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});

describe("requestOrigin", () => {
  it("prefers WEB_PUBLIC_URL, then the forwarded proto and host, then Host over http", () => {
    const headers = new Headers({
      host: "10.0.0.5:3000",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "perimeter.corp",
    });
    expect(requestOrigin(headers, "https://dash.corp")).toBe("https://dash.corp");
    expect(requestOrigin(headers, null)).toBe("https://perimeter.corp");
    expect(requestOrigin(new Headers({ host: "localhost:3001" }), null)).toBe("http://localhost:3001");
  });
});
