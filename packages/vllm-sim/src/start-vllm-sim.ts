import { closeServer, listen } from "@perimeter/runtime";
import { defaultModel, type VllmSimConfig } from "./env.ts";
import { createVllmSimServer } from "./server.ts";

export interface RunningVllmSim {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234` (no `/v1`). */
  url: string;
  /** Stops accepting connections, drops open ones and resolves once the port is released. */
  close(): Promise<void>;
}

/**
 * Starts the simulator in this process and resolves once it is listening. Unless given, the port is 0
 * (a free one, which is what tests want), the host loopback and the model `umans-coder-v0`, served from
 * `umans-ai/<model>` with a 131072-token context.
 */
export async function startVllmSim(options: Partial<VllmSimConfig> = {}): Promise<RunningVllmSim> {
  const model = options.model ?? defaultModel;
  const server = createVllmSimServer({
    name: model,
    path: `umans-ai/${model}`,
    maxModelLen: 131_072,
    createdAtEpochSec: Math.floor(Date.now() / 1000),
  });
  const url = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  // A test double has no requests worth draining: open connections are cut at once.
  return { url, close: () => closeServer(server, 0) };
}
