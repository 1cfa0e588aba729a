import { describe, expect, it } from "vitest";
import { deploymentSpecFromForm, specFormValues } from "./deployment-form";
import { onFormFields } from "./field-paths";
import { modelFieldsFromForm, parseHardwareProfiles } from "./model-form";

function form(values: Record<string, string | boolean>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) {
    if (value === true) data.set(name, "on");
    else if (typeof value === "string") data.set(name, value);
  }
  return data;
}

describe("deployment form", () => {
  it("reads only what was filled in, and only the chosen driver's block", () => {
    const { spec, errors } = deploymentSpecFromForm(
      form({
        "spec.simulator.startupMs": "500",
        "spec.simulator.noLatency": true,
        "spec.preStopSec": "0",
        "spec.extraArgs": "--enforce-eager\n\n --max-num-seqs=64 ",
        "spec.env": "VLLM_LOGGING_LEVEL=DEBUG\nHF_TOKEN=***",
        "spec.external.urls": "http://ignored:8000",
        "spec.image": "",
      }),
      "simulator",
    );
    expect(errors).toEqual({});
    expect(spec).toEqual({
      preStopSec: 0,
      extraArgs: ["--enforce-eager", "--max-num-seqs=64"],
      env: { VLLM_LOGGING_LEVEL: "DEBUG", HF_TOKEN: "***" },
      simulator: { startupMs: 500, noLatency: true },
    });
  });

  it("round-trips every driver's spec through the form's values", () => {
    const specs = {
      kubernetes: {
        image: "vllm/vllm-openai:v0.11.0",
        command: ["vllm", "serve"],
        gpu: { type: "nvidia-h200", count: 8 },
        parallelism: { tensor: 8, expert: true },
        maxModelLen: 131072,
        rollout: "recreate",
        kubernetes: {
          namespace: "llm",
          nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H200" },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }],
          modelCache: { persistentVolumeClaim: "weights" },
          hfTokenSecret: "hf",
        },
      },
      docker: {
        gpu: { type: "nvidia-b300", count: 4 },
        docker: { gpuDeviceIds: ["0", "1"], modelCacheHostPath: "/models" },
      },
      external: { external: { urls: ["http://gpu-1:8000", "http://gpu-2:8000"] } },
    } as const;
    for (const [driver, spec] of Object.entries(specs)) {
      const values = specFormValues(spec as unknown as Record<string, unknown>);
      expect(deploymentSpecFromForm(form(values), driver as "docker")).toEqual({ spec, errors: {} });
    }
  });

  it("names lines it cannot read, and values left as text for validation to reject", () => {
    const { spec, errors } = deploymentSpecFromForm(
      form({
        "spec.env": "GOOD=1\njust words",
        "spec.kubernetes.tolerations": "[{oops",
        "spec.kubernetes.nodeSelector": "=x",
        "spec.drainTimeoutSec": "soon",
      }),
      "kubernetes",
    );
    expect(errors).toEqual({
      "spec.env": "line 2: write NAME=value",
      "spec.kubernetes.tolerations": 'must be a JSON list, e.g. [{"key": "nvidia.com/gpu"}]',
      "spec.kubernetes.nodeSelector": "line 1: write key=value",
    });
    expect(spec.drainTimeoutSec).toBe("soon");
  });

  it("puts a message for a nested path on the field that holds it", () => {
    expect(
      onFormFields(
        {
          "spec.extraArgs.1": "--port is not allowed",
          "spec.simulator.startupMs": "must be at least 0",
          "spec.gpu": "odd",
          mystery: "what",
        },
        ["spec.extraArgs", "spec.simulator.startupMs", "spec.gpu.count"],
      ),
    ).toEqual({
      "spec.extraArgs": "--port is not allowed",
      "spec.simulator.startupMs": "must be at least 0",
      _: "spec.gpu: odd; mystery: what",
    });
  });
});

describe("model form", () => {
  it("reads every field; unchecked boxes are false and empty optional texts null", () => {
    expect(
      modelFieldsFromForm(
        form({
          publicName: "qwen3-coder",
          aliases: "qwen, coder",
          servedName: "qwen3",
          hfRepo: "Qwen/Qwen3-Coder",
          contextLength: "262,144",
          supportsTools: true,
          serveCommand: " vllm  serve ",
          hardwareProfiles: "nvidia-h200 4 4\nnvidia-b300 two 2",
        }),
      ),
    ).toEqual({
      publicName: "qwen3-coder",
      aliases: ["qwen", "coder"],
      servedName: "qwen3",
      hfRepo: "Qwen/Qwen3-Coder",
      revision: null,
      tokenizerMode: null,
      toolCallParser: null,
      reasoningParser: null,
      contextLength: 262_144,
      maxOutputTokens: null,
      defaultImage: null,
      serveCommand: ["vllm", "serve"],
      hardwareProfiles: [
        { gpuType: "nvidia-h200", gpuCount: 4, tensorParallel: 4 },
        { gpuType: "nvidia-b300", gpuCount: "two", tensorParallel: 2 },
      ],
      enableAutoToolChoice: false,
      supportsVision: false,
      supportsTools: true,
      supportsThinking: false,
      defaultThinking: false,
      enabled: false,
    });
    expect(parseHardwareProfiles(undefined)).toEqual([]);
  });
});
