import { describe, expect, it } from "vitest";
import { claudeCodeEnv, settingsJson, shellSnippet } from "./claude-code-setup";

describe("Claude Code setup", () => {
  it("points every model alias at the served model and keeps traffic on the gateway", () => {
    expect(claudeCodeEnv("https://gw.corp", "sk-prm-x")).toMatchObject({
      ANTHROPIC_BASE_URL: "https://gw.corp",
      ANTHROPIC_AUTH_TOKEN: "sk-prm-x",
      ANTHROPIC_MODEL: "umans-coder-v0",
      ANTHROPIC_DEFAULT_HAIKU_MODEL: "umans-coder-v0",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_ATTRIBUTION_HEADER: "0",
      CLAUDE_CODE_MAX_CONTEXT_TOKENS: "163840",
    });
  });

  it("renders a settings.json env block and a shell snippet that quotes placeholders", () => {
    expect(JSON.parse(settingsJson("https://gw.corp", "sk-prm-x")).env.ANTHROPIC_AUTH_TOKEN).toBe("sk-prm-x");
    const snippet = shellSnippet("https://gw.corp", "<your key>");
    expect(snippet.split("\n")).toContain("export ANTHROPIC_AUTH_TOKEN='<your key>'");
    expect(snippet.split("\n")).toContain("export ANTHROPIC_BASE_URL=https://gw.corp");
    expect(snippet.endsWith("\nclaude")).toBe(true);
  });
});
