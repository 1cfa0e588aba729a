import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ConfigResult, EnvSource } from "@perimeter/runtime";
import { parseGatewayEnv } from "../../gateway/src/env.ts";
import { parseWebEnv } from "../../web/lib/env.ts";
import { parseDeploymentsEnv, parseWorkerEnv } from "../../worker/src/env.ts";
import { parseBootstrapEnv } from "../src/bootstrap/env.ts";

// What the deployment assets must agree with, read from the services themselves: each one's own
// configuration parser (so "every required variable is set" means the service would boot) and the
// health routes each one serves (so a probe never points at a path that 404s).

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export type Component = "web" | "gateway" | "worker" | "bootstrap" | "vllm-sim";

/** Runs the component's own env parser; `ok: false` carries the one-line message the service would print. */
export function parseComponentEnv(component: Component, env: EnvSource): ConfigResult<unknown> {
  switch (component) {
    case "web":
      return parseWebEnv(env);
    case "gateway":
      return parseGatewayEnv(env);
    case "worker": {
      const worker = parseWorkerEnv(env);
      return worker.ok ? parseDeploymentsEnv(env) : worker;
    }
    case "bootstrap":
      return parseBootstrapEnv(env);
    case "vllm-sim":
      return { ok: true, config: env };
  }
}

/** The liveness/readiness routes of the README's health table, each checked against the service's source. */
export const healthRoutes: Record<Exclude<Component, "bootstrap">, { liveness: string; readiness: string }> = {
  gateway: { liveness: "/healthz", readiness: "/readyz" },
  worker: { liveness: "/healthz", readiness: "/readyz" },
  // The web has one route, which checks Postgres and Redis: readiness, not liveness (see the chart).
  web: { liveness: "/api/health", readiness: "/api/health" },
  "vllm-sim": { liveness: "/health", readiness: "/health" },
};

const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

/** True when the component's server really answers GET `route`, judged from its route table. */
export function serviceServesRoute(component: Exclude<Component, "bootstrap">, route: string): boolean {
  switch (component) {
    case "gateway":
      return read("gateway/src/server.ts").includes(`"GET ${route}"`);
    case "worker":
      return read("worker/src/health-server.ts").includes(`path === "${route}"`);
    case "vllm-sim":
      return read("packages/vllm-sim/src/server.ts").includes(`["${route}", ["GET"]]`);
    case "web": {
      const file = path.join(repoRoot, "web/app", route, "route.ts");
      return existsSync(file) && /export async function GET\b/.test(readFileSync(file, "utf8"));
    }
  }
}
