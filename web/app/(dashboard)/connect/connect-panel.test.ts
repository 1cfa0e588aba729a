import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { initialFormState } from "../../../lib/forms/form-state";
import { type AgentId, ConnectPanel } from "./connect-panel";

const action = async () => initialFormState;

/** Connect's setup as first rendered, with `initialAgent`'s tab open. */
function render(initialAgent?: AgentId): string {
  return renderToStaticMarkup(
    createElement(ConnectPanel, {
      gatewayUrl: "https://gw.corp",
      teams: [{ teamId: "team_1", teamName: "Platform" }],
      hasKey: false,
      createKey: action,
      test: action,
      ...(initialAgent ? { initialAgent } : {}),
    }),
  );
}

/** The text of the element with `data-testid`, entities decoded. */
function byTestId(html: string, id: string): string | undefined {
  const match = new RegExp(`data-testid="${id}"[^>]*>(?:<code>)?([\\s\\S]*?)(?:</code>)?</pre>`).exec(html);
  return match?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

describe("Connect: a tab per coding agent", () => {
  it("offers Claude Code, Codex CLI and OpenCode, with Claude Code's settings open first", () => {
    const html = render();
    const tabs = [...html.matchAll(/role="tab" aria-selected="(true|false)"[^>]*>([^<]+)</g)].map((m) => [m[2], m[1]]);
    expect(tabs).toEqual([
      ["Claude Code", "true"],
      ["Codex CLI", "false"],
      ["OpenCode", "false"],
      ["~/.claude/settings.json", "true"],
      ["Shell", "false"],
    ]);
    expect(byTestId(html, "setup-snippet")).toContain('"ANTHROPIC_BASE_URL": "https://gw.corp"');
    expect(html).not.toContain('data-testid="codex-setup"');
  });

  it("the Codex CLI tab gives a config.toml provider on the gateway's /v1 Responses API, and the key export", () => {
    const html = render("codex");
    expect(html).not.toContain('data-testid="setup-snippet"');
    const config = byTestId(html, "codex-config");
    expect(config).toContain('base_url = "https://gw.corp/v1"');
    expect(config).toContain('wire_api = "responses"');
    expect(config).toContain('env_key = "PERIMETER_API_KEY"');
    expect(byTestId(html, "codex-shell")).toBe("export PERIMETER_API_KEY='<your Perimeter key>'\ncodex");
  });

  it("the OpenCode tab gives an opencode.json provider through @ai-sdk/openai-compatible", () => {
    const html = render("opencode");
    const config = JSON.parse(byTestId(html, "opencode-config") ?? "{}");
    expect(config.provider.perimeter.npm).toBe("@ai-sdk/openai-compatible");
    expect(config.provider.perimeter.options.baseURL).toBe("https://gw.corp/v1");
    expect(byTestId(html, "opencode-shell")).toBe("export PERIMETER_API_KEY='<your Perimeter key>'\nopencode");
  });
});
