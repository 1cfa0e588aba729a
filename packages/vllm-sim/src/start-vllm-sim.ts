import type { AddressInfo } from "node:net";
import { closeServer, listen } from "@perimeter/runtime";
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
  const url = await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  // A test double has no requests worth draining: open connections are cut at once.
  return { url, port, close: () => closeServer(server, 0) };
}
