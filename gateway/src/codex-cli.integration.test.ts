import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { usageEventMessageSchema } from "@perimeter/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSimAndGateway } from "./testing/sim-and-gateway.ts";

// The real Codex CLI (`codex exec`, its Linux binary from the platform package, run directly) with the
// gateway as its model provider over the Responses API, and vllm-sim scripted to make it run a shell
// command. Nothing leaves the loopback interface: its own CODEX_HOME, no update check, no analytics.

const env = useSimAndGateway();
const supported = process.platform === "linux" && process.arch === "x64";

function codexBinary(): string {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve("@openai/codex-linux-x64/package.json"));
  return path.join(root, "vendor", "x86_64-unknown-linux-musl", "bin", "codex");
}

/** The `~/.codex/config.toml` the dashboard's Connect page gives developers, pointed at the test gateway. */
function codexConfig(gatewayUrl: string, extra: string[] = []): string {
  return [
    'model = "umans-coder-v0"',
    ...extra,
    'model_provider = "perimeter"',
    "model_context_window = 163840",
    'web_search = "disabled"',
    "check_for_update_on_startup = false",
    "",
    "[model_providers.perimeter]",
    'name = "Perimeter"',
    `base_url = "${gatewayUrl}/v1"`,
    'env_key = "PERIMETER_API_KEY"',
    'wire_api = "responses"',
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
    "[analytics]",
    "enabled = false",
    "",
  ].join("\n");
}

function runCodex(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(codexBinary(), args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!supported)("Codex CLI through the gateway", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-codex-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs `codex exec` in a fresh home and workspace of `name`; returns the workspace. */
  async function codexTask(name: string, config: string[]) {
    const home = path.join(dir, name, "codex-home");
    const work = path.join(dir, name, "work");
    await Promise.all([mkdir(home, { recursive: true }), mkdir(work, { recursive: true })]);
    await writeFile(path.join(home, "config.toml"), codexConfig(env.gateway.url, config));
    return { home, work };
  }

  it("codex exec runs the shell command the model asks for, writes the file, and is metered under the key", async () => {
    const { home, work } = await codexTask("plain", []);
    env.sim.setRules([
      // After the command ran (its output comes back as a tool message), the model says it is done.
      { when: { lastRole: "tool" }, turn: { content: "Wrote hello.txt." } },
      {
        when: { lastRole: "user", lastTextIncludes: "hello.txt" },
        turn: {
          toolCalls: [
            {
              id: "call_codex_shell_1",
              name: "exec_command",
              arguments: { cmd: "printf 'hello from codex\\n' > hello.txt" },
            },
          ],
        },
      },
    ]);

    const result = await runCodex(
      [
        "exec",
        "--skip-git-repo-check",
        // The Linux sandbox (bubblewrap) cannot run here as root in a container; the test needs none.
        "--dangerously-bypass-approvals-and-sandbox",
        "--color",
        "never",
        "Create hello.txt containing the words hello from codex",
      ],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: dir,
          CODEX_HOME: home,
          PERIMETER_API_KEY: env.gateway.token,
          NO_COLOR: "1",
        },
      },
    );
    expect(result.code, `codex exec failed:\n${result.stderr}`).toBe(0);
    expect(await readFile(path.join(work, "hello.txt"), "utf8")).toBe("hello from codex\n");
    expect(result.stdout).toContain("Wrote hello.txt.");

    // What vLLM got: Codex's tools as chat functions, then the command's output as the tool turn.
    const chats = env.sim.requests().filter((request) => request.path === "/v1/chat/completions");
    expect(chats).toHaveLength(2);
    const second = chats[1]?.body as { messages: { role: string; tool_call_id?: string }[]; tools: unknown[] };
    expect(second.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_codex_shell_1" });
    expect(second.tools).toContainEqual(
      expect.objectContaining({ function: expect.objectContaining({ name: "exec_command" }) }),
    );

    // The gateway saw both requests under the key, on the Responses API, from Codex.
    const deadline = Date.now() + 5_000;
    let events: ReturnType<typeof usageEventMessageSchema.parse>[] = [];
    while (Date.now() < deadline) {
      const entries = await env.gateway.services.redis.xrange(env.gateway.usageKeys.stream, "-", "+");
      events = entries
        .map(([, fields]) => usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}")))
        .filter((event) => event.endpoint === "responses");
      if (events.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({
        apiKeyId: env.gateway.key.id,
        teamId: env.gateway.team.team.id,
        model: "umans-coder-v0",
        status: 200,
        stream: true,
        limitDecision: "admitted",
      });
      expect(event.userAgent).toMatch(/^codex_exec\//);
      expect(event.sessionId).toBeTruthy();
      expect(event.outputTokens).toBeGreaterThan(0);
    }
    expect(events.map((event) => event.stopReason)).toEqual(["tool_use", "end_turn"]);
  }, 120_000);

  it("with model_reasoning_effort, DeepSeek thinks and Codex's reasoning item comes back as `reasoning`", async () => {
    const { home, work } = await codexTask("reasoning", ['model_reasoning_effort = "high"']);
    env.sim.setRules([
      { when: { lastRole: "tool" }, turn: { reasoning: "The file exists now.", content: "Done." } },
      {
        when: { lastRole: "user" },
        turn: {
          reasoning: "I should write the file with printf.",
          toolCalls: [{ id: "call_codex_shell_2", name: "exec_command", arguments: { cmd: "echo thought > t.txt" } }],
        },
      },
    ]);
    const result = await runCodex(
      [
        "exec",
        "--skip-git-repo-check",
        "--dangerously-bypass-approvals-and-sandbox",
        "--color",
        "never",
        "Write t.txt",
      ],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: dir,
          CODEX_HOME: home,
          PERIMETER_API_KEY: env.gateway.token,
        },
      },
    );
    expect(result.code, `codex exec failed:\n${result.stderr}`).toBe(0);
    expect(await readFile(path.join(work, "t.txt"), "utf8")).toBe("thought\n");
    const chats = env.sim.requests().filter((request) => request.path === "/v1/chat/completions");
    expect(chats.map((chat) => (chat.body as { chat_template_kwargs: unknown }).chat_template_kwargs)).toEqual([
      { thinking: true },
      { thinking: true },
    ]);
    const messages = (chats[1]?.body as { messages: { role: string; reasoning?: string }[] } | undefined)?.messages;
    expect(messages?.find((message) => message.role === "assistant")).toMatchObject({
      reasoning: "I should write the file with printf.",
    });
  }, 120_000);
});
