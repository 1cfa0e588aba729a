import { dumpYaml } from "@kubernetes/client-node";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { type KubernetesArtifact, renderKubernetes } from "./render-kubernetes.ts";
import { seedTarget } from "./testing/seed-target.ts";

const seedSpec = { kubernetes: { modelCache: { persistentVolumeClaim: "umans-models" }, hfTokenSecret: "hf-token" } };

function render(rawSpec: Record<string, unknown> = seedSpec) {
  const rendered = renderKubernetes(seedTarget("kubernetes", rawSpec), "perimeter");
  const [deployment, service] = (rendered.artifact as KubernetesArtifact).objects;
  return { rendered, deployment, service };
}

describe("renderKubernetes", () => {
  it("renders the seed's TP=8 deployment as reviewed (__snapshots__/umans-coder-tp8.kubernetes.yaml.snap)", async () => {
    const { deployment, service } = render();
    const manifest = [deployment, service].map((object) => dumpYaml(object)).join("---\n");
    await expect(manifest).toMatchFileSnapshot("./__snapshots__/umans-coder-tp8.kubernetes.yaml.snap");
  });

  it("passes the Kubernetes schemas", () => {
    const { deployment, service } = render();
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    expect(() => new Service(service as never).validate()).not.toThrow();
    // The validator does reject a broken object, so the check above means something.
    const broken = { ...deployment, spec: { ...(deployment.spec as object), replicas: "one" } };
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it("keeps what vLLM on a GPU node needs", () => {
    const { deployment, service } = render();
    const typed = new Deployment(deployment as never);
    const pod = typed.spec?.template.spec;
    const container = pod?.containers[0];
    expect(container?.command).toEqual(["uv", "run", "vllm", "serve"]);
    expect(container?.args?.slice(0, 3)).toEqual(["umans-ai/umans-coder-v0", "--served-model-name", "umans-coder"]);
    for (const flag of ["--tensor-parallel-size", "--tokenizer-mode", "--tool-call-parser", "--reasoning-parser"]) {
      expect(container?.args).toContain(flag);
    }
    expect(container?.args).toContain("--enable-auto-tool-choice");
    expect(container?.resources?.limits?.["nvidia.com/gpu"]).toBe("8");
    expect(pod?.enableServiceLinks).toBe(false);
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15 + 90);
    expect(container?.lifecycle?.preStop?.sleep?.seconds).toBe(15);
    expect(typed.spec?.strategy).toEqual({ type: "Recreate" });
    expect((service as { metadata: { name: string } }).metadata.name).not.toMatch(/^vllm/);
  });

  it("changes the revision with the pod template and only then", () => {
    const base = render().rendered.revision;
    expect(render().rendered.revision).toBe(base);
    expect(render({ ...seedSpec, extraArgs: ["--max-num-seqs", "256"] }).rendered.revision).not.toBe(base);
    const scaled = renderKubernetes({ ...seedTarget("kubernetes", seedSpec), replicas: 3 }, "perimeter");
    expect(scaled.revision).toBe(base);
    expect(render({ ...seedSpec, rollout: "rolling" }).deployment.spec).toMatchObject({
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
  });
});
