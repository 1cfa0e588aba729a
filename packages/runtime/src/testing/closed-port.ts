import http from "node:http";
import { closeServer, listen } from "../lifecycle.ts";

/**
 * Test support: a loopback port that was free a moment ago and has nothing listening on it now, for
 * pointing a client at a dependency that is down.
 */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  const url = await listen(server, 0, "127.0.0.1");
  await closeServer(server);
  return Number(new URL(url).port);
}
