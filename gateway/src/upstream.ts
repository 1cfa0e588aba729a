/**
 * The gateway's view of the vLLM server it forwards to. For now only the health probe; translation,
 * routing across replicas and streaming will hang off this interface.
 */
export interface Upstream {
  /** Resolves when `GET /health` answers 2xx; rejects with the status or network error otherwise. */
  health(signal: AbortSignal): Promise<void>;
}

/** The upstream at `baseUrl`, the server root without `/v1` (as `env.ts` leaves `VLLM_BASE_URL`). */
export function createUpstream(baseUrl: string): Upstream {
  return {
    async health(signal) {
      const res = await fetch(`${baseUrl}/health`, { signal });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`GET /health answered ${res.status}`);
    },
  };
}
