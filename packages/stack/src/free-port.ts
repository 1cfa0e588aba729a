import net from "node:net";

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when nothing listens on `port` at 127.0.0.1 (where the stack's own servers bind). */
export function isPortFree(port: number): Promise<boolean> {
  return canListen(port, "127.0.0.1");
}

/**
 * `preferred` when it is free, so a developer's URLs stay the same from one run to the next;
 * otherwise a port the kernel picks. Another process may take it before we bind: callers that
 * race (tests) should retry on EADDRINUSE.
 */
export async function findFreePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && (await isPortFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
