import { describe, expect, it } from "vitest";
import { codexConfigToml, keyExport, openAIBaseUrl, openCodeJson } from "./openai-agents-setup";

describe("OpenAI-API agent setups", () => {
  it("points Codex CLI at the gateway's /v1 on the Responses API, the key from the environment", () => {
    const toml = codexConfigToml("https://gw.corp/");
    const lines = toml.split("\n");
    expect(lines).toContain('model = "umans-coder-v0"');
    expect(lines).toContain('model_provider = "perimeter"');
    expect(lines).toContain('web_search = "disabled"');
    expect(lines).toContain("[model_providers.perimeter]");
    expect(lines).toContain('base_url = "https://gw.corp/v1"');
    expect(lines).toContain('env_key = "PERIMETER_API_KEY"');
    expect(lines).toContain('wire_api = "responses"');
    expect(toml).not.toContain("sk-prm-");
  });

  it("gives OpenCode an openai-compatible provider on the gateway's /v1 as its default model", () => {
    const config = JSON.parse(openCodeJson("https://gw.corp"));
    expect(config.provider.perimeter).toEqual({
      npm: "@ai-sdk/openai-compatible",
      name: "Perimeter",
      options: { baseURL: "https://gw.corp/v1", apiKey: "{env:PERIMETER_API_KEY}" },
      models: {
        "umans-coder-v0": { name: "umans-coder-v0", tool_call: true, limit: { context: 163840, output: 32000 } },
      },
    });
    expect(config.model).toBe("perimeter/umans-coder-v0");
  });

  it("exports the key quoted when it is a placeholder, then starts the agent", () => {
    expect(keyExport("<your key>", "codex")).toBe("export PERIMETER_API_KEY='<your key>'\ncodex");
    expect(keyExport("sk-prm-x", "opencode")).toBe("export PERIMETER_API_KEY=sk-prm-x\nopencode");
    expect(openAIBaseUrl("http://localhost:4000")).toBe("http://localhost:4000/v1");
  });
});
