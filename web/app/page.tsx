import { getConfig } from "../lib/services";

// The gateway URL comes from the environment at request time, never from the build.
export const dynamic = "force-dynamic";

export default function HomePage() {
  const { gatewayPublicUrl } = getConfig();

  return (
    <main className="shell">
      <header className="brand">
        <svg className="mark" viewBox="0 0 24 24" aria-hidden="true">
          <rect x="3" y="3" width="18" height="18" rx="4" fill="none" stroke="currentColor" strokeWidth="2" />
          <rect x="8" y="8" width="8" height="8" rx="1.5" fill="currentColor" />
        </svg>
        <h1>Perimeter</h1>
      </header>

      <p className="lede">
        Claude Code on your own GPUs. Every request goes through this gateway to the model your company serves, and
        never leaves your network.
      </p>

      <section className="card" aria-labelledby="connect">
        <h2 id="connect">Connect Claude Code</h2>
        <dl className="field">
          <dt>Gateway URL</dt>
          <dd>
            <code data-testid="gateway-url">{gatewayPublicUrl}</code>
          </dd>
        </dl>
        <pre className="snippet">
          <code>
            {`export ANTHROPIC_BASE_URL=${gatewayPublicUrl}\nexport ANTHROPIC_AUTH_TOKEN=<your Perimeter API key>\nclaude`}
          </code>
        </pre>
      </section>

      <section className="card quiet" aria-labelledby="sign-in">
        <h2 id="sign-in">Sign in</h2>
        <p>
          The dashboard, where admins manage teams, API keys, limits and usage, arrives in a later release of Perimeter.
        </p>
      </section>
    </main>
  );
}
