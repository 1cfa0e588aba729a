import { contextWindowTokens, servedModel } from "./claude-code-setup";

/** The environment variable both OpenAI-API agents read the Perimeter key from. */
export const keyEnvVar = "PERIMETER_API_KEY";

/** The gateway's OpenAI-API base URL: the same gateway, under `/v1`. */
export function openAIBaseUrl(gatewayUrl: string): string {
  return `${gatewayUrl.replace(/\/+$/, "")}/v1`;
}

/**
 * Codex CLI's `~/.codex/config.toml` (keys from Codex's configuration reference): the gateway as a model
 * provider on the Responses API, its key read from `PERIMETER_API_KEY` (`env_key`, so the secret is never
 * written to the file), no web search (a hosted tool the self-hosted model cannot run), and no update
 * check or analytics leaving the network. Pure.
 */
export function codexConfigToml(gatewayUrl: string): string {
  return [
    `model = "${servedModel}"`,
    'model_provider = "perimeter"',
    `model_context_window = ${contextWindowTokens}`,
    'web_search = "disabled"',
    "check_for_update_on_startup = false",
    '# model_reasoning_effort = "high"   # uncomment to let the model think before answering',
    "",
    "[model_providers.perimeter]",
    'name = "Perimeter"',
    `base_url = "${openAIBaseUrl(gatewayUrl)}"`,
    `env_key = "${keyEnvVar}"`,
    'wire_api = "responses"',
    "",
    "[analytics]",
    "enabled = false",
    "",
  ].join("\n");
}

/**
 * OpenCode's `opencode.json` (its custom-provider form): the gateway's chat completions through
 * `@ai-sdk/openai-compatible`, the key from `PERIMETER_API_KEY` (`{env:…}`), the model's real context
 * window, and no auto-update or session sharing leaving the network. Pure.
 */
export function openCodeJson(gatewayUrl: string): string {
  const config = {
    $schema: "https://opencode.ai/config.json",
    provider: {
      perimeter: {
        npm: "@ai-sdk/openai-compatible",
        name: "Perimeter",
        options: { baseURL: openAIBaseUrl(gatewayUrl), apiKey: `{env:${keyEnvVar}}` },
        models: {
          [servedModel]: {
            name: servedModel,
            tool_call: true,
            limit: { context: contextWindowTokens, output: 32_000 },
          },
        },
      },
    },
    model: `perimeter/${servedModel}`,
    autoupdate: false,
    share: "disabled",
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The shell lines that put the key where both agents read it, then start `command`. */
export function keyExport(token: string, command: "codex" | "opencode"): string {
  return `export ${keyEnvVar}=${shellQuote(token)}\n${command}`;
}
