import { describe, expect, it } from "vitest";
import { defaultCliLatency, parseVllmSimConfig } from "./env.ts";

describe("parseVllmSimConfig", () => {
  it("applies the defaults when nothing is set", () => {
    expect(parseVllmSimConfig([], {})).toEqual({
      ok: true,
      config: {
        port: 8000,
        host: "127.0.0.1",
        model: "umans-coder",
        modelPath: "umans-ai/umans-coder-v0",
        maxModelLen: 163_840,
        scriptPath: undefined,
        startupMs: 0,
        latency: defaultCliLatency,
        maxNumSeqs: 256,
        reasoningField: "reasoning",
        apiKey: undefined,
        vision: false,
      },
    });
  });

  it("reads --vision as a switch", () => {
    expect(parseVllmSimConfig(["--vision"], {})).toMatchObject({ ok: true, config: { vision: true } });
    expect(parseVllmSimConfig(["--vision=1"], {})).toEqual({ ok: false, message: "--vision takes no value" });
  });

  it("treats empty variables as unset and lets flags override variables", () => {
    const result = parseVllmSimConfig(["--port", "9001", "--served-model-name=flag-model"], {
      VLLM_SIM_PORT: "8001",
      VLLM_SIM_MODEL: "env-model",
      VLLM_SIM_HOST: "",
    });
    expect(result).toMatchObject({ ok: true, config: { port: 9001, host: "127.0.0.1", model: "flag-model" } });
  });

  it("reads every flag", () => {
    const result = parseVllmSimConfig(
      [
        "--host=0.0.0.0",
        "--max-model-len",
        "4096",
        "--script",
        "s.json",
        "--startup-ms",
        "250",
        "--ttft-ms-per-token",
        "0.5",
        "--prefill-overhead-ms",
        "10",
        "--itl-ms",
        "7",
        "--max-num-seqs",
        "4",
        "--reasoning-field",
        "reasoning_content",
        "--api-key",
        "k-123",
        "--model",
        "/models/x",
      ],
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        host: "0.0.0.0",
        maxModelLen: 4096,
        scriptPath: "s.json",
        startupMs: 250,
        latency: { prefillOverheadMs: 10, ttftMsPerToken: 0.5, itlMs: 7 },
        maxNumSeqs: 4,
        reasoningField: "reasoning_content",
        apiKey: "k-123",
        modelPath: "/models/x",
      },
    });
  });

  it("turns the latency model off with --no-latency", () => {
    const result = parseVllmSimConfig(["--itl-ms", "50", "--no-latency"], {});
    expect(result).toMatchObject({
      ok: true,
      config: { latency: { prefillOverheadMs: 0, ttftMsPerToken: 0, itlMs: 0 } },
    });
  });

  it("names every bad variable and flag on one line, without echoing the API key", () => {
    const result = parseVllmSimConfig(
      ["--max-num-seqs", "0", "--reasoning-field", "thoughts", "--bogus", "--api-key=", "--itl-ms"],
      { VLLM_SIM_PORT: "70000" },
    );
    expect(result).toEqual({
      ok: false,
      message:
        'VLLM_SIM_PORT must be a port number between 0 and 65535 (got "70000"); ' +
        '--max-num-seqs must be a whole number of at least 1 (got "0"); ' +
        '--reasoning-field must be reasoning or reasoning_content (got "thoughts"); ' +
        'unknown flag "--bogus"; --api-key must not be empty (got 0 characters); --itl-ms needs a value',
    });
  });

  it("does not take the next flag as a missing value", () => {
    const result = parseVllmSimConfig(["--port", "--no-latency"], {});
    expect(result).toEqual({ ok: false, message: "--port needs a value" });
  });
});
