"use client";

import { useActionState, useState } from "react";
import { CopyButton } from "../../../components/copy-button";
import { claudeCodeEnv, settingsJson, shellSnippet } from "../../../lib/connect/claude-code-setup";
import { codexConfigToml, keyEnvVar, keyExport, openCodeJson } from "../../../lib/connect/openai-agents-setup";
import { type FormState, initialFormState } from "../../../lib/forms/form-state";

type Action = (state: FormState, form: FormData) => Promise<FormState>;

const placeholder = "<your Perimeter key>";

/** The coding agents Connect has a ready setup for, in tab order. */
export const agents = [
  { id: "claude-code", label: "Claude Code" },
  { id: "codex", label: "Codex CLI" },
  { id: "opencode", label: "OpenCode" },
] as const;

export type AgentId = (typeof agents)[number]["id"];

/** A file or snippet to paste, with where it goes. */
function CodeBlock({ language, value, testId }: { language: string; value: string; testId: string }) {
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="muted small">{language}</span>
        <CopyButton value={value} />
      </div>
      <pre data-testid={testId}>
        <code>{value}</code>
      </pre>
    </div>
  );
}

/**
 * The setup of an agent that speaks the OpenAI API (Codex CLI on the Responses API, OpenCode on chat
 * completions): its config file, which names the key's environment variable but never holds the key, and
 * the shell lines that set that variable and start the agent.
 */
export function OpenAIAgentSetup({
  agent,
  gatewayUrl,
  token,
}: {
  agent: Exclude<AgentId, "claude-code">;
  gatewayUrl: string;
  token: string;
}) {
  const codex = agent === "codex";
  return (
    <div data-testid={`${agent}-setup`}>
      <p className="muted">
        {codex ? (
          <>
            Put this in <code>~/.codex/config.toml</code>: Codex CLI then sends its requests to the gateway over the
            Responses API.
          </>
        ) : (
          <>
            Put this in <code>opencode.json</code> (your project) or <code>~/.config/opencode/opencode.json</code>:
            OpenCode then uses the gateway through its OpenAI-compatible provider.
          </>
        )}
      </p>
      <CodeBlock
        language={codex ? "TOML" : "JSON"}
        value={codex ? codexConfigToml(gatewayUrl) : openCodeJson(gatewayUrl)}
        testId={`${agent}-config`}
      />
      <p className="muted">
        The file reads your key from <code>{keyEnvVar}</code>; set it in your shell (or profile), then start the agent.
      </p>
      <CodeBlock language="sh" value={keyExport(token, codex ? "codex" : "opencode")} testId={`${agent}-shell`} />
    </div>
  );
}

/**
 * The interactive part of Connect: create a key (its secret fills the snippets and the test, once),
 * the ready-to-paste setup in both forms, and the connection test.
 */
export function ConnectPanel({
  gatewayUrl,
  teams,
  hasKey,
  createKey,
  test,
  initialAgent = "claude-code",
}: {
  gatewayUrl: string;
  teams: { teamId: string; teamName: string }[];
  hasKey: boolean;
  createKey: Action;
  test: Action;
  /** The agent tab shown first. */
  initialAgent?: AgentId;
}) {
  const [created, createAction, creating] = useActionState(createKey, initialFormState);
  const [tested, testAction, testing] = useActionState(test, initialFormState);
  const [agent, setAgent] = useState<AgentId>(initialAgent);
  const [format, setFormat] = useState<"settings" | "shell">("settings");
  const secret = created.ok ? created.reveals?.[0]?.value : undefined;
  const token = secret ?? placeholder;
  const snippet = format === "settings" ? settingsJson(gatewayUrl, token) : shellSnippet(gatewayUrl, token);

  return (
    <>
      <section className="card" aria-labelledby="your-key">
        <h2 id="your-key">1. Your key</h2>
        {secret ? (
          <div className="reveal" data-testid="reveal">
            <div className="reveal-head">
              <strong>Your new API key</strong>
              <CopyButton value={secret} />
            </div>
            <code className="reveal-value" data-testid="reveal-value">
              {secret}
            </code>
            <p className="hint">Shown only now: Perimeter keeps only a hash. It is already filled in below.</p>
          </div>
        ) : teams.length === 0 ? (
          <p className="notice">You are not in a team yet. Ask a team admin to add you; keys belong to a team.</p>
        ) : (
          <form action={createAction} className="inline-form wrap" data-testid="create-my-key-form">
            <p className="muted full">
              {hasKey
                ? "Your existing keys are listed below. Lost the secret? Create another key (and revoke the old one)."
                : "You have no key yet. Create one for your coding agent:"}
            </p>
            <label htmlFor="my-key-team">Team</label>
            <select id="my-key-team" name="teamId" defaultValue={teams[0]?.teamId}>
              {teams.map((t) => (
                <option key={t.teamId} value={t.teamId}>
                  {t.teamName}
                </option>
              ))}
            </select>
            <label htmlFor="my-key-name">Name</label>
            <input id="my-key-name" name="name" defaultValue="claude-code" />
            <button type="submit" className="button primary" disabled={creating}>
              {creating ? "Creating…" : "Create my key"}
            </button>
          </form>
        )}
        {created.message && !created.ok ? (
          <p className="notice error" role="alert">
            {created.message}
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="setup">
        <h2 id="setup">2. Point your coding agent at Perimeter</h2>
        <div className="tabs" role="tablist" aria-label="Coding agent">
          {agents.map((entry) => (
            <button
              key={entry.id}
              type="button"
              role="tab"
              aria-selected={agent === entry.id}
              className="tab"
              onClick={() => setAgent(entry.id)}
            >
              {entry.label}
            </button>
          ))}
        </div>
        {agent === "claude-code" ? (
          <>
            <div className="tabs" role="tablist" aria-label="Setup format">
              <button
                type="button"
                role="tab"
                aria-selected={format === "settings"}
                className="tab"
                onClick={() => setFormat("settings")}
              >
                ~/.claude/settings.json
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={format === "shell"}
                className="tab"
                onClick={() => setFormat("shell")}
              >
                Shell
              </button>
            </div>
            <p className="muted">
              {format === "settings"
                ? "Merge this env block into ~/.claude/settings.json (recommended: Claude Code reads every setting from here)."
                : "Paste into your shell, or your shell profile, then run claude."}
            </p>
            <div className="code-block">
              <div className="code-head">
                <span className="muted small">{format === "settings" ? "JSON" : "sh"}</span>
                <CopyButton value={snippet} />
              </div>
              <pre data-testid="setup-snippet">
                <code>{snippet}</code>
              </pre>
            </div>
            <details className="disclosure">
              <summary>What each setting does</summary>
              <dl className="facts">
                {Object.keys(claudeCodeEnv(gatewayUrl, token)).map((name) => (
                  <div key={name} className="fact">
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>{explanations[name] ?? ""}</dd>
                  </div>
                ))}
              </dl>
            </details>
          </>
        ) : (
          <OpenAIAgentSetup agent={agent} gatewayUrl={gatewayUrl} token={token} />
        )}
      </section>

      <section className="card" aria-labelledby="test">
        <h2 id="test">3. Test the connection</h2>
        <p className="muted">Sends one real, small request through the gateway with your key and shows the answer.</p>
        <form action={testAction} className="inline-form wrap" data-testid="test-connection-form">
          <label htmlFor="test-key">Your key</label>
          <input
            id="test-key"
            name="key"
            type="password"
            autoComplete="off"
            placeholder="sk-prm-…"
            defaultValue={secret}
            key={secret ?? "empty"}
            className="wide-input"
          />
          <button type="submit" className="button primary" disabled={testing}>
            {testing ? "Testing…" : "Test the connection"}
          </button>
        </form>
        {tested.message ? (
          <p
            className={tested.ok ? "notice success" : "notice error"}
            role={tested.ok ? "status" : "alert"}
            data-testid="test-result"
          >
            {tested.message}
            {tested.fields?.key ? ` ${tested.fields.key}.` : ""}
          </p>
        ) : null}
        {tested.ok && tested.reveals?.[0] ? (
          <blockquote className="answer">{tested.reveals[0].value}</blockquote>
        ) : null}
      </section>
    </>
  );
}

const explanations: Record<string, string> = {
  ANTHROPIC_BASE_URL: "Sends Claude Code's requests to the Perimeter gateway instead of Anthropic.",
  ANTHROPIC_AUTH_TOKEN: "Your Perimeter key, sent as a bearer token.",
  ANTHROPIC_MODEL: "The model your company serves.",
  ANTHROPIC_DEFAULT_OPUS_MODEL: "What the opus alias means here.",
  ANTHROPIC_DEFAULT_SONNET_MODEL: "What the sonnet alias means here.",
  ANTHROPIC_DEFAULT_HAIKU_MODEL: "The small, fast model for background calls such as session titles.",
  CLAUDE_CODE_SUBAGENT_MODEL: "The model subagents use.",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "No telemetry, error reports or update checks leave your network.",
  CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "No plugin marketplace download on first start.",
  CLAUDE_CODE_ATTRIBUTION_HEADER:
    "Keeps a per-session header out of the system prompt, so the server's prompt cache works.",
  CLAUDE_CODE_MAX_CONTEXT_TOKENS: "The model's real context window, so Claude Code compacts in time.",
};
