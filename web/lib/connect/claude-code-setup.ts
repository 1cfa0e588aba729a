/** The model name the gateway serves (DeepSeek V3.2 behind vLLM). */
export const servedModel = "umans-coder-v0";

/** vLLM's max_model_len for the served model, so Claude Code compacts before overflowing it. */
export const contextWindowTokens = 163_840;

/**
 * The environment Claude Code needs to talk to this gateway (names from Claude Code's env-vars
 * documentation): base URL and token, every model alias mapped to the served model (the haiku one is
 * also used for background calls such as session titles), no traffic outside the gateway, no
 * per-session billing block in the system prompt (it defeats vLLM's prefix cache), and the real
 * context window. Pure; `token` is the key or a placeholder.
 */
export function claudeCodeEnv(baseUrl: string, token: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_AUTH_TOKEN: token,
    ANTHROPIC_MODEL: servedModel,
    ANTHROPIC_DEFAULT_OPUS_MODEL: servedModel,
    ANTHROPIC_DEFAULT_SONNET_MODEL: servedModel,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: servedModel,
    CLAUDE_CODE_SUBAGENT_MODEL: servedModel,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
    CLAUDE_CODE_ATTRIBUTION_HEADER: "0",
    CLAUDE_CODE_MAX_CONTEXT_TOKENS: String(contextWindowTokens),
  };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A ready-to-paste POSIX shell snippet that exports the environment and starts Claude Code. */
export function shellSnippet(baseUrl: string, token: string): string {
  const lines = Object.entries(claudeCodeEnv(baseUrl, token)).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  );
  return [...lines, "claude"].join("\n");
}

/**
 * The `~/.claude/settings.json` document with the same environment in its `env` block. Claude Code
 * reads CLAUDE_CODE_ATTRIBUTION_HEADER reliably only from here, so this is the recommended form.
 */
export function settingsJson(baseUrl: string, token: string): string {
  return `${JSON.stringify({ env: claudeCodeEnv(baseUrl, token) }, null, 2)}\n`;
}
