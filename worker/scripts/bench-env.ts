import { loadConfigOrExit, postgresUrlVar, redisUrlVar } from "@perimeter/runtime";
import { z } from "zod";

/** What the benchmarks need: the servers to run against (defaults: the machine's own) and a size. */
export function loadBenchConfig(sizeVariable: string, defaultSize: number) {
  return loadConfigOrExit(
    z.object({
      DATABASE_URL: postgresUrlVar().default("postgresql://postgres@127.0.0.1:5432/postgres"),
      REDIS_URL: redisUrlVar().default("redis://127.0.0.1:6379"),
      [sizeVariable]: z.string().regex(/^\d+$/).transform(Number).default(defaultSize),
    }),
    process.env,
  ) as { DATABASE_URL: string; REDIS_URL: string } & Record<string, number>;
}

/** Peak resident set size of this process, sampled every 50 ms while `work` runs. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMb: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}
