import { describe, expect, it } from "vitest";
import { type DockerCreateOptions, dockerRevisionLabel, renderDocker } from "./render-docker.ts";
import { renderSimulator, type SimulatorArtifact } from "./render-simulator.ts";
import { seedTarget } from "./testing/seed-target.ts";

describe("renderDocker", () => {
  it("runs the seed like its published docker run line, with GPUs requested and the drain covered", () => {
    const rendered = renderDocker(seedTarget("docker", { docker: { modelCacheHostPath: "/data" } }));
    const options = rendered.artifact as DockerCreateOptions;
    expect(options).toMatchObject({
      Image: "umansai/vllm:0.1.2",
      Entrypoint: ["uv", "run", "vllm", "serve"],
      StopSignal: "SIGTERM",
      StopTimeout: 105,
      Labels: {
        "perimeter.dev/deployment-id": "dep_01kb0000000000000000000000",
        [dockerRevisionLabel]: rendered.revision,
      },
      HostConfig: {
        DeviceRequests: [{ Driver: "nvidia", Count: 8, Capabilities: [["gpu"]] }],
        Binds: ["/data:/models"],
        PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        RestartPolicy: { Name: "no" },
      },
    });
    expect(options.Cmd.join(" ")).toBe(
      "umans-ai/umans-coder-v0 --served-model-name umans-coder --host 0.0.0.0 --port 8000 --tensor-parallel-size 8 " +
        "--tokenizer-mode deepseek_v32 --tool-call-parser deepseek_v32 --enable-auto-tool-choice " +
        "--reasoning-parser deepseek_v3 --max-model-len 163840 --shutdown-timeout 90",
    );
  });

  it("hands over named GPUs when the spec pins them", () => {
    const target = seedTarget("docker", { docker: { gpuDeviceIds: ["0", "1", "2", "3", "4", "5", "6", "7"] } });
    const options = renderDocker(target).artifact as DockerCreateOptions;
    expect(options.HostConfig.DeviceRequests).toEqual([
      { Driver: "nvidia", DeviceIDs: ["0", "1", "2", "3", "4", "5", "6", "7"], Capabilities: [["gpu"]] },
    ]);
  });
});

describe("renderSimulator", () => {
  it("passes the simulator CLI flags and the VLLM_SIM_* variables older simulators read", () => {
    const rendered = renderSimulator(
      seedTarget("simulator", { simulator: { startupMs: 1500, noLatency: true } }),
      "127.0.0.1",
    );
    const artifact = rendered.artifact as SimulatorArtifact;
    expect(artifact.args).toEqual([
      "--port",
      "{PORT}",
      "--host",
      "127.0.0.1",
      "--served-model-name",
      "umans-coder",
      "--max-model-len",
      "163840",
      "--startup-ms",
      "1500",
      "--no-latency",
    ]);
    expect(artifact.env).toEqual({
      VLLM_SIM_PORT: "{PORT}",
      VLLM_SIM_HOST: "127.0.0.1",
      VLLM_SIM_MODEL: "umans-coder",
    });
  });

  it("plays a vision model for a model that reads images, and only then", () => {
    const target = seedTarget("simulator");
    expect((renderSimulator(target, "127.0.0.1").artifact as SimulatorArtifact).args).not.toContain("--vision");
    const vision = { ...target, model: { ...target.model, supportsVision: true } };
    expect((renderSimulator(vision, "127.0.0.1").artifact as SimulatorArtifact).args.at(-1)).toBe("--vision");
  });

  it("rolls on any vLLM-relevant change, even one the simulator ignores", () => {
    const base = renderSimulator(seedTarget("simulator"), "127.0.0.1").revision;
    const changed = renderSimulator(seedTarget("simulator", { extraArgs: ["--max-num-seqs", "64"] }), "127.0.0.1");
    expect(changed.revision).not.toBe(base);
    expect(renderSimulator(seedTarget("simulator"), "127.0.0.1").revision).toBe(base);
  });
});
