import type { Metadata } from "next";
import { CopyButton } from "../../../components/copy-button";
import { EffectiveLimitsTable } from "../../../components/effective-limits-table";
import { PageHeader } from "../../../components/page-header";
import { RemainingBudgets } from "../../../components/remaining-budgets";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { formatRelative } from "../../../lib/format";
import { getConnectInfo } from "../../../lib/operations/connect";
import { getConfig } from "../../../lib/services";
import { createMyKeyAction, testConnectionAction } from "./actions";
import { ConnectPanel } from "./connect-panel";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connect · Perimeter" };

export default async function ConnectPage() {
  const principal = await requirePrincipal();
  const info = await getConnectInfo(await requestEnv(), principal);
  const { gatewayPublicUrl } = getConfig();
  const value = info.ok ? info.value : { teams: [], keys: [], quota: null };
  return (
    <>
      <PageHeader
        title="Connect Claude Code"
        lede="Three steps to run Claude Code, Codex CLI or OpenCode against your company's own model. Nothing you type leaves the network."
      />
      <section className="card" aria-labelledby="gateway">
        <h2 id="gateway">Gateway</h2>
        <div className="inline-form">
          <code className="pill" data-testid="gateway-url">
            {gatewayPublicUrl}
          </code>
          <CopyButton value={gatewayPublicUrl} />
        </div>
        {value.keys.length > 0 ? (
          <ul className="key-list" data-testid="my-keys">
            {value.keys.map((key) => (
              <li key={key.id}>
                <strong>{key.name}</strong> <span className="mono muted">…{key.last4}</span> · {key.teamName} · last
                used {formatRelative(key.lastUsedAt)}
                {key.status === "rotating" ? <span className="badge warn">rotating</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <ConnectPanel
        gatewayUrl={gatewayPublicUrl}
        teams={value.teams}
        hasKey={value.keys.length > 0}
        createKey={createMyKeyAction}
        test={testConnectionAction}
      />
      <section className="card" aria-labelledby="quota">
        <h2 id="quota">Your limits</h2>
        {value.quota ? (
          <>
            <p className="muted">
              What binds requests made with {value.quota.keyId ? "your newest key" : "a key of yours"}
              {value.quota.teamName ? ` in ${value.quota.teamName}` : ""}, and what is left of its token budgets now.
            </p>
            <RemainingBudgets budgets={value.quota.remaining} />
            <EffectiveLimitsTable levels={value.quota.levels} effective={value.quota.effective} />
          </>
        ) : (
          <p className="empty">No team yet, so no limits to show.</p>
        )}
      </section>
    </>
  );
}
