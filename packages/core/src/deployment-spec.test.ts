import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { deploymentSpecSchema, driverSpecIssues, effectiveRollout, reservedFlagOf } from "./deployment-spec.ts";
import { parseDeploymentSpec } from "./parse-deployment-spec.ts";

const h200 = [{ gpuType: "nvidia-h200", gpuCount: 8, tensorParallel: 8 }];

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ZodError) return error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe("deployment spec", () => {
  it("refuses the flags the platform owns, in both spellings, and names why", () => {
    expect(reservedFlagOf("--port=8001")).toBe("--port");
    expect(reservedFlagOf("--api-key")).toBe("--api-key");
    expect(reservedFlagOf("--enable-prefix-caching")).toBeNull();
    expect(
      issuesOf(() => deploymentSpecSchema.parse({ extraArgs: ["--max-num-seqs", "256", "--host=0.0.0.0"] })),
    ).toEqual(["extraArgs.2: --host is not allowed in extraArgs: the platform binds vLLM itself"]);
    expect(issuesOf(() => deploymentSpecSchema.parse({ extraArgs: ["-tp", "4"] }))).toEqual([
      "extraArgs.0: -tp is not allowed in extraArgs: use parallelism.tensor",
    ]);
  });

  it("requires the GPUs of a replica to match its parallel sizes", () => {
    const spec = { gpu: { type: "nvidia-h200", count: 8 }, parallelism: { tensor: 4 } };
    expect(issuesOf(() => deploymentSpecSchema.parse(spec))).toEqual([
      "gpu.count: must equal tensor × pipeline × data parallel sizes (4)",
    ]);
    expect(deploymentSpecSchema.parse({ ...spec, parallelism: { tensor: 4, pipeline: 2 } }).gpu.count).toBe(8);
  });

  it("rejects environment names a shell could not set", () => {
    expect(issuesOf(() => deploymentSpecSchema.parse({ env: { "BAD-NAME": "x" } }))[0]).toMatch(/^env\.BAD-NAME/);
  });

  it("fills the model's first hardware profile for GPU drivers only", () => {
    const k8s = parseDeploymentSpec("kubernetes", {}, h200);
    expect(k8s).toMatchObject({
      gpu: { type: "nvidia-h200", count: 8 },
      parallelism: { tensor: 8, pipeline: 1, data: 1 },
      drainTimeoutSec: 90,
      startupBudgetSec: 3600,
    });
    expect(effectiveRollout(k8s)).toBe("recreate");
    const sim = parseDeploymentSpec("simulator", {}, h200);
    expect(sim.gpu.count).toBe(0);
    expect(effectiveRollout(sim)).toBe("rolling");
  });

  it("checks what each driver needs, with paths under spec", () => {
    expect(issuesOf(() => parseDeploymentSpec("docker", {}, []))).toEqual([
      "spec: gpu.count: the docker driver runs vLLM on GPUs; give at least one",
    ]);
    expect(issuesOf(() => parseDeploymentSpec("external", {}, []))).toEqual([
      "spec: external.urls: the external driver needs the URLs to use",
    ]);
    expect(parseDeploymentSpec("external", { external: { urls: ["http://gpu-1:8000/"] } }, []).external).toEqual({
      urls: ["http://gpu-1:8000"],
    });
    expect(driverSpecIssues("simulator", deploymentSpecSchema.parse({ external: { urls: ["http://x"] } }))).toEqual([
      "external: only for the external driver, not simulator",
    ]);
  });
});
