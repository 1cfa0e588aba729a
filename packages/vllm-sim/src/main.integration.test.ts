import path from "node:path";
import { spawnService } from "@perimeter/runtime/testing";
import { describe, expect, it } from "vitest";
import type { ModelList } from "./model-list.ts";

const packageRoot = path.resolve(import.meta.dirname, "..");

describe("vllm-sim process", () => {
  it("stops with exit code 78 and one line naming the variable on a bad value", async () => {
    const proc = spawnService({ cwd: packageRoot, env: { VLLM_SIM_PORT: "eighty" } });
    const [code] = await proc.exit;
    const { stderr, stdout } = proc.output();
    expect(code).toBe(78);
    expect(stdout).toBe("");
    expect(stderr).toBe('config error: VLLM_SIM_PORT must be a port number between 0 and 65535 (got "eighty")\n');
  });

  it("serves through the bin and exits 0 on SIGTERM", async () => {
    const proc = spawnService({
      cwd: packageRoot,
      args: ["bin/vllm-sim.mjs"],
      env: { VLLM_SIM_PORT: "0", VLLM_SIM_MODEL: "sim-test" },
    });
    const url = await proc.listening();
    const models = (await fetch(`${url}/v1/models`).then((res) => res.json())) as ModelList;
    expect(models.data[0]?.id).toBe("sim-test");

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
  });
});
