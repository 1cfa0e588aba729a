import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm, Field, SelectField } from "../../../components/action-form";
import { AutoRefresh } from "../../../components/auto-refresh";
import { DataTable, NameCell } from "../../../components/data-table";
import { DeploymentSpecFields } from "../../../components/deployment-spec-fields";
import { loadSummary, PhaseBadge, ReplicaDots } from "../../../components/deployment-status";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { formatRelative } from "../../../lib/format";
import { listDeployments } from "../../../lib/operations/deployments";
import { listModels } from "../../../lib/operations/models";
import { createDeploymentAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Deployments · Perimeter" };

export default async function DeploymentsPage() {
  const principal = await requirePrincipal();
  const env = await requestEnv();
  const [deployments, models] = await Promise.all([listDeployments(env, principal), listModels(env, principal)]);
  if (!deployments.ok) notFound();
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Deployments"
        lede="vLLM replicas serving the catalog's models. You say what should run; the worker's reconciler makes it so, and the gateways route to the replicas that are ready, least loaded first."
      >
        <AutoRefresh active={deployments.value.length > 0} everyMs={2000} label="Live" />
      </PageHeader>
      <section className="card" aria-labelledby="deployment-list">
        <h2 id="deployment-list">Deployments</h2>
        {deployments.value.length === 0 ? (
          <p className="empty">Nothing deployed yet.</p>
        ) : (
          <DataTable
            testId="deployments-table"
            columns={["Deployment", "Model", "Phase", "Replicas", "Load", "Generation"]}
          >
            {deployments.value.map((d) => (
              <tr key={d.id} data-deployment={d.name}>
                <NameCell name={<Link href={`/deployments/${d.id}`}>{d.name}</Link>} detail={d.driver} />
                <td className="nowrap">{d.model.publicName}</td>
                <td>
                  <PhaseBadge deployment={d} />
                  <div className="muted small">
                    {d.reason ? `${d.reason} · ` : ""}since {formatRelative(d.phaseSince, now)}
                  </div>
                </td>
                <td className="nowrap">
                  <ReplicaDots replicas={d.replicas} />{" "}
                  <span data-testid="replica-count">
                    {d.readyReplicas}/{d.desiredState === "stopped" ? 0 : d.desiredReplicas} ready
                  </span>
                </td>
                <td className="small">{loadSummary(d.replicas)}</td>
                <td className="small">
                  {d.observedGeneration}/{d.generation}
                  {d.observedGeneration < d.generation ? <div className="muted">rolling out</div> : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {can(principal, "deployments.manage") && models.ok ? (
        <section className="card" aria-labelledby="new-deployment">
          <h2 id="new-deployment">New deployment</h2>
          <ActionForm action={createDeploymentAction} submitLabel="Create deployment" testId="create-deployment-form">
            <div className="grid-3">
              <Field
                name="name"
                label="Name"
                required
                placeholder="coder-h200"
                hint="Lower-case letters, digits and dashes."
              />
              <SelectField
                name="modelId"
                label="Model"
                required
                options={models.value.map((m) => ({ value: m.id, label: m.publicName }))}
              />
              <Field name="replicas" label="Replicas" inputMode="numeric" defaultValue="1" />
            </div>
            <DeploymentSpecFields driver="simulator" />
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
