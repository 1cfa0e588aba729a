import { errorMessage } from "@perimeter/runtime";
import { parseVllmMetrics, type VllmLoad } from "./parse-vllm-metrics.ts";

/**
 * What one probe round found. `loading`: the port is closed, which is how vLLM looks until its engine
 * has loaded the model (it only listens afterwards). `ready`: `/health` is 200 and `/v1/models` lists
 * the served name. `unhealthy`: anything else, with the reason.
 */
export type ProbeResult =
  | { state: "loading"; error: string }
  | { state: "unhealthy"; error: string }
  | { state: "ready"; maxModelLen: number | null; load: VllmLoad | null };

function isConnectionRefused(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === "ECONNREFUSED") return true;
  }
  return false;
}

interface ModelList {
  data?: { id?: unknown; max_model_len?: unknown }[];
}

/**
 * Probes a vLLM server at `endpoint`: `/health` (alive), `/v1/models` (the model is served, and its
 * `max_model_len`), then `/metrics` (load; a server without it, or with an unreadable one, just has no
 * load data). Each request is bounded by `timeoutMs`. Never throws.
 */
export async function probeReplica(endpoint: string, servedName: string, timeoutMs: number): Promise<ProbeResult> {
  const get = (path: string) => fetch(`${endpoint}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  try {
    const health = await get("/health");
    await health.arrayBuffer();
    if (health.status !== 200) return { state: "unhealthy", error: `GET /health answered ${health.status}` };
    const modelsResponse = await get("/v1/models");
    if (modelsResponse.status !== 200) {
      await modelsResponse.arrayBuffer();
      return { state: "unhealthy", error: `GET /v1/models answered ${modelsResponse.status}` };
    }
    const models = (await modelsResponse.json()) as ModelList;
    const card = models.data?.find((entry) => entry.id === servedName);
    if (!card) return { state: "unhealthy", error: `GET /v1/models does not list "${servedName}"` };
    const maxModelLen = typeof card.max_model_len === "number" ? card.max_model_len : null;
    return { state: "ready", maxModelLen, load: await scrapeLoad(get) };
  } catch (error) {
    if (isConnectionRefused(error)) return { state: "loading", error: "connection refused (engine still loading)" };
    return { state: "unhealthy", error: errorMessage(error) };
  }
}

async function scrapeLoad(get: (path: string) => Promise<Response>): Promise<VllmLoad | null> {
  try {
    const response = await get("/metrics");
    const text = await response.text();
    return response.status === 200 ? parseVllmMetrics(text) : null;
  } catch {
    return null;
  }
}
