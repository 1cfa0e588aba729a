import { describe, expect, it } from "vitest";
import { formatReadyBanner } from "./ready-banner.ts";

const base = {
  webUrl: "http://localhost:3000",
  gatewayUrl: "http://localhost:4000",
  adminEmail: "admin@perimeter.local",
  passwordFromEnv: false,
  model: "umans-coder-v0",
};

describe("formatReadyBanner", () => {
  it("shows the generated password and starter key on the first start", () => {
    const banner = formatReadyBanner({ ...base, generatedPassword: "pw-123", starterKey: "sk-prm-abc" });
    expect(banner).toContain("ready");
    expect(banner).toContain("pw-123");
    expect(banner).toContain(
      [
        "  export ANTHROPIC_BASE_URL=http://localhost:4000",
        "  export ANTHROPIC_AUTH_TOKEN=sk-prm-abc",
        "  export ANTHROPIC_MODEL=umans-coder-v0",
        "  export ANTHROPIC_DEFAULT_HAIKU_MODEL=umans-coder-v0",
        "  export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
        "  export CLAUDE_CODE_MAX_CONTEXT_TOKENS=163840",
        "  claude",
      ].join("\n"),
    );
  });

  it("shows no secret on later starts", () => {
    const banner = formatReadyBanner(base);
    expect(banner).toContain("export ANTHROPIC_AUTH_TOKEN=<your key from the dashboard>");
    expect(banner).toContain("Password   unchanged");
    expect(banner).not.toContain("sk-prm-");
  });
});
