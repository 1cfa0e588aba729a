import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/**
 * The Claude Code CLI's native binary. `@anthropic-ai/claude-code` only copies it into place from its
 * platform package in an install script, which this repository does not run (see `allowScripts` in
 * the root package.json); the binary is the same file, so it is run from the platform package.
 */
export function claudeBinary(): string {
  const manifest = require.resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(manifest), "claude");
}

export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The `--output-format json` result, when the CLI printed one. */
  result?: { subtype: string; is_error: boolean; result: string; num_turns: number; session_id: string };
}

/**
 * Runs `claude -p <prompt>` headless in `cwd`, with `home` as its whole configuration (a developer's
 * `~/.claude/settings.json` lives there) and no environment beyond PATH: what it knows of the gateway
 * comes from that settings file alone.
 */
export function runClaude(options: {
  prompt: string;
  cwd: string;
  home: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<ClaudeRun> {
  const args = ["-p", options.prompt, "--output-format", "json", ...(options.args ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(claudeBinary(), args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      let result: ClaudeRun["result"];
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
      } catch {
        result = undefined;
      }
      resolve({ code, stdout, stderr, result });
    });
  });
}
