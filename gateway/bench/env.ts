import { type EnvSource, loadConfigOrExit, postgresUrlVar, redisUrlVar } from "@perimeter/runtime";
import { z } from "zod";
import { type TargetName, targetNames } from "./bench-stats.ts";
import { type ShapeName, shapeNames } from "./load-shapes.ts";

/** What `npm run bench` reads from its environment, parsed once by `loadBenchConfig`. */
export interface BenchConfig {
  /** Measured seconds per slice (one target, one shape, one round). */
  seconds: number;
  /** Unmeasured load before each slice's window. */
  warmupMs: number;
  /**
   * Unmeasured load per target before a shape's first round: a process fresh from start runs its code
   * unoptimized for its first few thousand requests, and the rounds measure a steady state.
   */
  prewarmSeconds: number;
  rounds: number;
  shapes: ShapeName[];
  targets: TargetName[];
  /** Run the gateway under `node --cpu-prof` for this shape after the comparison, and summarise it. */
  profileShape?: ShapeName;
  profileSeconds: number;
  /** Unset: the embedded servers, as `npm test` provisions them. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Where embedded servers and the kept CPU profile live (`<PERIMETER_DATA_DIR>/bench`). */
  dataDir: string;
  path: string;
}

const number = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number between ${min} and ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be a number between ${min} and ${max}`)
    .default(fallback);

const listOf = <T extends string>(names: readonly T[]) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every((name) => names.includes(name as T)),
      `must be a comma-separated subset of ${names.join(",")}`,
    )
    .transform((list) => names.filter((name) => list.includes(name)));

const benchEnvSchema = z
  .object({
    BENCH_SECONDS: number(3, 0.5, 600),
    BENCH_WARMUP_MS: number(500, 0, 60_000),
    BENCH_PREWARM_SECONDS: number(8, 0, 600),
    BENCH_ROUNDS: number(3, 0, 50).refine(Number.isInteger, "must be a whole number"),
    BENCH_SHAPES: listOf(shapeNames).default([...shapeNames]),
    BENCH_TARGETS: listOf(targetNames).default([...targetNames]),
    BENCH_PROFILE: z.enum(shapeNames, `must be one of ${shapeNames.join(", ")}`).optional(),
    BENCH_PROFILE_SECONDS: number(10, 1, 600),
    DATABASE_URL: postgresUrlVar().optional(),
    REDIS_URL: redisUrlVar().optional(),
    PERIMETER_DATA_DIR: z.string().default(".data"),
    PATH: z.string().default(""),
  })
  .transform(
    (env): BenchConfig => ({
      seconds: env.BENCH_SECONDS,
      warmupMs: env.BENCH_WARMUP_MS,
      prewarmSeconds: env.BENCH_PREWARM_SECONDS,
      rounds: env.BENCH_ROUNDS,
      shapes: env.BENCH_SHAPES,
      targets: env.BENCH_TARGETS,
      ...(env.BENCH_PROFILE ? { profileShape: env.BENCH_PROFILE } : {}),
      profileSeconds: env.BENCH_PROFILE_SECONDS,
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      dataDir: `${env.PERIMETER_DATA_DIR.replace(/\/+$/, "")}/bench`,
      path: env.PATH,
    }),
  );

/** Reads the benchmark's variables; a bad value prints one line naming it and exits 78. */
export function loadBenchConfig(source: EnvSource): BenchConfig {
  return loadConfigOrExit(benchEnvSchema, source);
}
