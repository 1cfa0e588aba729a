import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { defaultModel } from "./env.ts";
import { createVllmSimServer } from "./server.ts";

export interface VllmSimOptions {
  /** Port to listen on; 0 (the default here) picks a free one, which is what tests want. */
  port?: number;
  /** Interface to bind; defaults to loopback. */
  host?: string;
  /** Served model name, what clients send as `model` and what `/v1/models` lists. */
  model?: string;
  /** Reported as `root` in `/v1/models`; defaults to `umans-ai/<model>`. */
  modelPath?: string;
  /** Context window reported as `max_model_len`. */
  maxModelLen?: number;
}

export interface RunningVllmSim {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234` (no `/v1`). */
  url: string;
  port: number;
  /** Stops accepting connections, drops open ones and resolves once the port is released. */
  close(): Promise<void>;
}

export const defaultMaxModelLen = 131_072;

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Starts the simulator in this process and resolves once it is listening. */
export async function startVllmSim(options: VllmSimOptions = {}): Promise<RunningVllmSim> {
  const model = options.model ?? defaultModel;
  const host = options.host ?? "127.0.0.1";
  const server = createVllmSimServer({
    name: model,
    path: options.modelPath ?? `umans-ai/${model}`,
    maxModelLen: options.maxModelLen ?? defaultMaxModelLen,
    createdAtEpochSec: Math.floor(Date.now() / 1000),
  });
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
