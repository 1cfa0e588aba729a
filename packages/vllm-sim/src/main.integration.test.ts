import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelList } from "./model-list.ts";

const packageRoot = path.resolve(import.meta.dirname, "..");

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    exit,
    output: () => ({ stdout, stderr }),
    /** Resolves with the URL from the service's `listening` log line. */
    listening: async (): Promise<string> => {
      const exited = exit.then(() => {
        throw new Error(`process exited before listening: ${stdout}${stderr}`);
      });
      while (true) {
        const url = stdout.match(/"msg":"listening","url":"([^"]+)"/)?.[1];
        if (url) return url;
        await Promise.race([once(child.stdout, "data"), exited]);
      }
    },
  };
}

describe("vllm-sim process", () => {
  it("stops with exit code 78 and one line naming the variable on a bad value", async () => {
    const proc = run(["--import", "tsx", "src/main.ts"], { VLLM_SIM_PORT: "eighty" });
    const [code] = await proc.exit;
    const { stderr, stdout } = proc.output();
    expect(code).toBe(78);
    expect(stdout).toBe("");
    expect(stderr).toBe('config error: VLLM_SIM_PORT must be a port number between 0 and 65535 (got "eighty")\n');
  });

  it("serves through the bin and exits 0 on SIGTERM", async () => {
    const proc = run(["bin/vllm-sim.mjs"], { VLLM_SIM_PORT: "0", VLLM_SIM_MODEL: "sim-test" });
    const url = await proc.listening();
    const models = (await fetch(`${url}/v1/models`).then((res) => res.json())) as ModelList;
    expect(models.data[0]?.id).toBe("sim-test");

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
  });
});
