import { type RunningVllmSim, startVllmSim, type VllmSimOptions } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { startTestGateway, type TestGateway, type TestGatewayOptions } from "./test-gateway.ts";

export interface SimAndGateway {
  /** Set before the file's first test. */
  readonly sim: RunningVllmSim;
  readonly gateway: TestGateway;
}

/**
 * Vitest hooks for a test file: one vllm-sim and one test gateway in front of it (real Postgres and
 * Redis), started before the first test and stopped after the last; the simulator is reset before each
 * test, so a test's scripted turns and recorded requests are its own.
 */
export function useSimAndGateway(
  options: { sim?: VllmSimOptions; gateway?: Partial<TestGatewayOptions> } = {},
): SimAndGateway {
  const env = {} as { sim: RunningVllmSim; gateway: TestGateway };
  beforeAll(async () => {
    env.sim = await startVllmSim(options.sim);
    env.gateway = await startTestGateway({
      databaseUrl: inject("databaseUrl"),
      redisUrl: inject("redisUrl"),
      upstreamUrl: env.sim.url,
      ...options.gateway,
    });
  });
  afterAll(async () => {
    await env.gateway?.stop();
    await env.sim?.close();
  });
  beforeEach(() => env.sim?.reset());
  return env;
}
