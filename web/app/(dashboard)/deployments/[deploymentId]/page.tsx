import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../../components/action-form";
import { AutoRefresh } from "../../../../components/auto-refresh";
import { ConfirmAction } from "../../../../components/confirm-action";
import { DataTable, NameCell } from "../../../../components/data-table";
import { DeploymentSpecFields } from "../../../../components/deployment-spec-fields";
import { loadSummary, PhaseBadge } from "../../../../components/deployment-status";
import { PageHeader } from "../../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../../lib/auth/session";
import { can } from "../../../../lib/authz/rights";
import { formatDateTime, formatNumber, formatRelative } from "../../../../lib/format";
import { specFormValues } from "../../../../lib/forms/deployment-form";
import { getDeploymentAs } from "../../../../lib/operations/deployments";
import { listModels } from "../../../../lib/operations/models";
import {
  deleteDeploymentAction,
  scaleDeploymentAction,
  setDeploymentStateAction,
  updateDeploymentSpecAction,
} from "../actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Deployment · Perimeter" };

const routingLabels = { ready: "routed", loading: "not yet", draining: "draining", unhealthy: "held back" } as const;

export default async function DeploymentPage({ params }: { params: Promise<{ deploymentId: string }> }) {
  const { deploymentId } = await params;
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const [found, models] = await Promise.all([
    getDeploymentAs(env, principal, deploymentId),
    listModels(env, principal),
  ]);
  if (!found.ok) notFound();
  const d = found.value;
  const manage = can(principal, "deployments.manage") && !d.deletedAt;
  const stopped = d.desiredState === "stopped";
  const now = new Date();
  return (
    <>
      <PageHeader
        title={d.name}
        lede={
          <>
            {d.model.publicName} on the {d.driver} driver. <Link href="/deployments">All deployments</Link>
          </>
        }
      >
        <AutoRefresh active everyMs={2000} label="Live" />
      </PageHeader>
      <section className="card" aria-labelledby="status">
        <h2 id="status">
          Status <PhaseBadge deployment={d} />
        </h2>
        <dl className="facts" data-testid="deployment-status">
          <div className="fact">
            <dt>Reason</dt>
            <dd>{d.reason ?? "—"}</dd>
          </div>
          <div className="fact">
            <dt>Message</dt>
            <dd data-testid="deployment-message">{d.message ?? "—"}</dd>
          </div>
          <div className="fact">
            <dt>Replicas</dt>
            <dd data-testid="replica-count">
              {d.readyReplicas} ready of {stopped ? "0 (stopped)" : d.desiredReplicas} wanted
            </dd>
          </div>
          <div className="fact">
            <dt>Load</dt>
            <dd>{loadSummary(d.replicas)}</dd>
          </div>
          <div className="fact">
            <dt>In this phase</dt>
            <dd>since {formatRelative(d.phaseSince, now)}</dd>
          </div>
          <div className="fact">
            <dt>Generation</dt>
            <dd>
              {d.observedGeneration} of {d.generation}
              {d.observedGeneration < d.generation ? " (the reconciler has not acted on the latest change yet)" : ""}
            </dd>
          </div>
          <div className="fact">
            <dt>Last reconciled</dt>
            <dd>{formatRelative(d.lastReconcileAt, now)}</dd>
          </div>
          <div className="fact">
            <dt>Revision</dt>
            <dd className="mono">{d.targetRevision ?? "—"}</dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="replicas">
        <h2 id="replicas">Replicas</h2>
        {d.replicas.length === 0 ? (
          <p className="empty">
            {stopped ? "Stopped: no replicas." : "No replica yet; the reconciler starts them within seconds."}
          </p>
        ) : (
          <DataTable
            testId="replicas-table"
            columns={["Replica", "Health", "Gateways", "Running / waiting", "KV cache", "Context", "Started"]}
          >
            {d.replicas.map((replica) => (
              <tr key={replica.name} data-replica={replica.name}>
                <NameCell name={replica.name} detail={replica.endpoint} mono />
                <td>
                  <span
                    className={
                      replica.health === "healthy"
                        ? "badge ok"
                        : replica.health === "unhealthy"
                          ? "badge danger"
                          : "badge warn"
                    }
                  >
                    {replica.health}
                  </span>
                  {replica.lastError ? (
                    // While loading, "connection refused" is expected; only an unhealthy replica's error is one.
                    <div className={replica.health === "unhealthy" ? "field-error small" : "muted small"}>
                      {replica.lastError}
                    </div>
                  ) : null}
                </td>
                <td>{replica.routingState ? routingLabels[replica.routingState] : "not in the table"}</td>
                <td>
                  {replica.runningRequests} / {replica.waitingRequests}
                </td>
                <td>
                  {replica.kvCacheUsage === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <meter min={0} max={1} value={replica.kvCacheUsage} aria-label={`KV cache of ${replica.name}`} />
                  )}
                </td>
                <td>{formatNumber(replica.maxModelLen)}</td>
                <td className="nowrap">{formatDateTime(replica.startedAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {manage ? (
        <section className="card" aria-labelledby="operate">
          <h2 id="operate">Operate</h2>
          <div className="operate">
            {d.driver === "external" ? (
              <p className="muted">An external deployment has one replica per URL: edit the URLs below to scale it.</p>
            ) : (
              <ActionForm
                action={scaleDeploymentAction}
                submitLabel="Scale"
                className="inline-form wrap"
                testId="scale-form"
              >
                <input type="hidden" name="deploymentId" value={d.id} />
                <Field name="replicas" label="Replicas" inputMode="numeric" defaultValue={d.desiredReplicas} />
              </ActionForm>
            )}
            <ConfirmAction
              key={stopped ? "start" : "stop"}
              action={setDeploymentStateAction}
              hidden={{ deploymentId: d.id, state: stopped ? "running" : "stopped" }}
              label={stopped ? "Start" : "Stop"}
              confirmLabel={stopped ? undefined : `Stop ${d.name}`}
            />
            <ConfirmAction
              action={deleteDeploymentAction}
              hidden={{ deploymentId: d.id }}
              label="Delete"
              confirmLabel={`Delete ${d.name}`}
              danger
            />
          </div>
        </section>
      ) : null}
      {manage && models.ok ? (
        <details className="card disclosure-card">
          <summary>Change the spec</summary>
          <p className="muted">
            Saving rolls the replicas to the new spec (
            {d.driver === "docker" || d.driver === "kubernetes"
              ? "old ones first, their GPUs are needed"
              : "new ones ready before old ones drain"}
            ).
          </p>
          <ActionForm action={updateDeploymentSpecAction} submitLabel="Save spec" testId="update-spec-form">
            <input type="hidden" name="deploymentId" value={d.id} />
            <SelectField
              name="modelId"
              label="Model"
              defaultValue={d.model.id}
              options={models.value.map((m) => ({ value: m.id, label: m.publicName }))}
            />
            <DeploymentSpecFields driver={d.driver} fixedDriver values={specFormValues(d.spec)} />
          </ActionForm>
        </details>
      ) : (
        <details className="card disclosure-card">
          <summary>Spec</summary>
          <pre className="json">{JSON.stringify(d.spec, null, 2)}</pre>
        </details>
      )}
    </>
  );
}
