export interface ReadyBannerInput {
  webUrl: string;
  gatewayUrl: string;
  adminEmail: string;
  /** Shown only on the start that created the admin with a generated password. */
  generatedPassword?: string;
  /** True when the admin was created just now with PERIMETER_ADMIN_PASSWORD. */
  passwordFromEnv: boolean;
  /** Shown only on the start that created it. */
  starterKey?: string;
  model: string;
}

/**
 * The text printed once everything is healthy: where the dashboard is, how to log in, and a Claude
 * Code setup to paste. Secrets appear only on the start that created them; later starts say where
 * to get them instead.
 */
export function formatReadyBanner(input: ReadyBannerInput): string {
  const password = input.generatedPassword
    ? `${input.generatedPassword}   (generated; shown only this once)`
    : input.passwordFromEnv
      ? "the PERIMETER_ADMIN_PASSWORD you set"
      : "unchanged (set on the first start)";
  const token = input.starterKey ?? "<your key from the dashboard>";
  return [
    "",
    "Perimeter is ready.",
    "",
    `  Dashboard  ${input.webUrl}`,
    `  Login      ${input.adminEmail}`,
    `  Password   ${password}`,
    `  Gateway    ${input.gatewayUrl}`,
    "",
    input.starterKey
      ? "Use Claude Code through Perimeter (the starter key below is shown only this once):"
      : "Use Claude Code through Perimeter:",
    "",
    `  export ANTHROPIC_BASE_URL=${input.gatewayUrl}`,
    `  export ANTHROPIC_AUTH_TOKEN=${token}`,
    `  export ANTHROPIC_MODEL=${input.model}`,
    `  export ANTHROPIC_DEFAULT_HAIKU_MODEL=${input.model}`,
    // Nothing leaves the network, and compaction starts before DeepSeek V3.2's 163840-token window is full.
    "  export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
    "  export CLAUDE_CODE_MAX_CONTEXT_TOKENS=163840",
    "  claude",
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
