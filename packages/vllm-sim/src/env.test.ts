import { describe, expect, it } from "vitest";
import { parseVllmSimEnv } from "./env.ts";

describe("parseVllmSimEnv", () => {
  it("applies the defaults when nothing is set", () => {
    expect(parseVllmSimEnv({})).toEqual({
      ok: true,
      config: { port: 8000, host: "127.0.0.1", model: "umans-coder-v0" },
    });
  });

  it("treats empty strings as unset", () => {
    const result = parseVllmSimEnv({ VLLM_SIM_PORT: "", VLLM_SIM_MODEL: "" });
    expect(result).toMatchObject({ ok: true, config: { port: 8000, model: "umans-coder-v0" } });
  });

  it("reads explicit values", () => {
    const result = parseVllmSimEnv({ VLLM_SIM_PORT: "0", VLLM_SIM_HOST: "0.0.0.0", VLLM_SIM_MODEL: "deepseek-v3.2" });
    expect(result).toEqual({ ok: true, config: { port: 0, host: "0.0.0.0", model: "deepseek-v3.2" } });
  });

  it("names the variable and the rejected value on one line", () => {
    const result = parseVllmSimEnv({ VLLM_SIM_PORT: "70000", VLLM_SIM_MODEL: "two words" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(
      'VLLM_SIM_PORT must be a port number between 0 and 65535 (got "70000"); ' +
        'VLLM_SIM_MODEL must be a model name of letters, digits and . _ - : / (at most 128) (got "two words")',
    );
  });
});
