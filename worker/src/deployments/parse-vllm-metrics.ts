/** The load figures the gateway routes on, from one scrape of vLLM's `/metrics`. */
export interface VllmLoad {
  runningRequests: number;
  waitingRequests: number;
  /** 0..1; null when the engine exposes neither name. */
  kvCacheUsage: number | null;
}

// vLLM renamed `vllm:gpu_cache_usage_perc` to `vllm:kv_cache_usage_perc` in 0.9 and later removed the
// old name (vLLM docs/usage/metrics.md), so both are read, the new one first.
const kvNames = ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"];

/** `name{labels} value [timestamp]` lines of the Prometheus text format; comments are skipped. */
function samples(text: string): { name: string; labels: string; value: number }[] {
  const out: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line.trim());
    if (!match) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) out.push({ name: match[1] ?? "", labels: match[2] ?? "", value });
  }
  return out;
}

/**
 * Reads running and waiting requests and KV-cache use from a vLLM `/metrics` body. With data
 * parallelism each engine reports its own series (`engine="0"`…): requests are summed, cache use is
 * averaged. Missing series count as 0 requests and unknown cache use.
 */
export function parseVllmMetrics(text: string): VllmLoad {
  const all = samples(text);
  const sum = (name: string) => all.filter((sample) => sample.name === name).reduce((total, s) => total + s.value, 0);
  let kvCacheUsage: number | null = null;
  for (const name of kvNames) {
    const series = all.filter((sample) => sample.name === name);
    if (series.length === 0) continue;
    const mean = series.reduce((total, s) => total + s.value, 0) / series.length;
    kvCacheUsage = Math.min(1, Math.max(0, mean));
    break;
  }
  return {
    runningRequests: Math.max(0, Math.round(sum("vllm:num_requests_running"))),
    waitingRequests: Math.max(0, Math.round(sum("vllm:num_requests_waiting"))),
    kvCacheUsage,
  };
}
