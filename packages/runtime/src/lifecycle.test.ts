import http from "node:http";
import { describe, expect, it } from "vitest";
import { closeServer, listen } from "./lifecycle.ts";

describe("listen and closeServer", () => {
  it("gives a loopback URL for a wildcard host and frees the port on close", async () => {
    const server = http.createServer((_req, res) => res.end("hi"));
    const url = await listen(server, 0, "0.0.0.0");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await fetch(url).then((res) => res.text())).toBe("hi");

    await closeServer(server);
    expect(server.listening).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("cuts a request still in flight once the grace period is over", async () => {
    const server = http.createServer(() => {}); // never answers
    const url = await listen(server, 0, "127.0.0.1");
    const pending = fetch(url).catch((error: unknown) => error);
    await new Promise((resolve) => server.once("request", resolve));

    await closeServer(server, 10);
    expect(await pending).toBeInstanceOf(Error);
    // Closing again is harmless, so shutdown paths need not track what they already closed.
    await closeServer(server);
  });
});
