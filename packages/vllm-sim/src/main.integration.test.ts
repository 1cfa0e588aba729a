import { mkdtemp, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { closedPort, spawnService } from "@perimeter/runtime/testing";
import { describe, expect, it } from "vitest";
import type { ModelList } from "./model-list.ts";

const packageRoot = path.resolve(import.meta.dirname, "..");
const main = (...flags: string[]) => ["--import", "tsx", "src/main.ts", ...flags];

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("vllm-sim process", () => {
  it("stops with exit code 78 and one line naming the variable on a bad value", async () => {
    const proc = spawnService({ cwd: packageRoot, env: { VLLM_SIM_PORT: "eighty" } });
    const [code] = await proc.exit;
    const { stderr, stdout } = proc.output();
    expect(code).toBe(78);
    expect(stdout).toBe("");
    expect(stderr).toBe('config error: VLLM_SIM_PORT must be a port number between 0 and 65535 (got "eighty")\n');
  });

  it("stops with exit code 78 on a bad flag or a bad script file", async () => {
    const flag = spawnService({ cwd: packageRoot, env: {}, args: main("--max-model-len", "lots") });
    expect((await flag.exit)[0]).toBe(78);
    expect(flag.output().stderr).toBe(
      'config error: --max-model-len must be a whole number of at least 1 (got "lots")\n',
    );

    const dir = await mkdtemp(path.join(tmpdir(), "vllm-sim-"));
    const script = path.join(dir, "bad.json");
    await writeFile(script, JSON.stringify({ turns: [{ content: 1 }] }));
    const bad = spawnService({ cwd: packageRoot, env: {}, args: main("--script", script) });
    expect((await bad.exit)[0]).toBe(78);
    expect(bad.output().stderr).toBe(
      `config error: --script ${JSON.stringify(script)}: script.turns.0.content: Invalid input: expected string, received number\n`,
    );
  });

  it("keeps its port closed until the model is loaded, serves the script, and exits 0 on SIGTERM", async () => {
    const port = await closedPort();
    const dir = await mkdtemp(path.join(tmpdir(), "vllm-sim-"));
    const script = path.join(dir, "script.json");
    await writeFile(script, JSON.stringify({ turns: [{ content: "scripted hello" }] }));
    const proc = spawnService({
      cwd: packageRoot,
      env: {},
      args: main("--port", String(port), "--startup-ms", "1500", "--script", script, "--no-latency"),
    });
    await proc.logged(/"msg":"loading model"/);
    expect(await portIsClosed(port)).toBe(true);
    const url = await proc.listening();
    expect(proc.output().stdout).toContain('"msg":"model loaded"');
    const models = (await fetch(`${url}/v1/models`).then((res) => res.json())) as ModelList;
    expect(models.data[0]).toMatchObject({ id: "umans-coder", max_model_len: 163_840 });
    const completion = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    }).then((res) => res.json() as Promise<{ choices: Array<{ message: { content: string } }> }>);
    expect(completion.choices[0]?.message.content).toBe("scripted hello");

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
  });

  it("serves through the bin with the served name from the environment", async () => {
    const proc = spawnService({
      cwd: packageRoot,
      args: ["bin/vllm-sim.mjs", "--max-model-len", "4096"],
      env: { VLLM_SIM_PORT: "0", VLLM_SIM_MODEL: "sim-test" },
    });
    const url = await proc.listening();
    const models = (await fetch(`${url}/v1/models`).then((res) => res.json())) as ModelList;
    expect(models.data[0]).toMatchObject({ id: "sim-test", max_model_len: 4096 });
    proc.child.kill("SIGINT");
    expect((await proc.exit)[0]).toBe(0);
  });
});
