import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActionForm } from "../../../components/action-form";
import { DataTable, NameCell } from "../../../components/data-table";
import { ModelFormFields } from "../../../components/model-form-fields";
import { PageHeader } from "../../../components/page-header";
import { requestEnv, requirePrincipal } from "../../../lib/auth/session";
import { can } from "../../../lib/authz/rights";
import { formatNumber } from "../../../lib/format";
import { listModels } from "../../../lib/operations/models";
import { createModelAction, updateModelAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models · Perimeter" };

export default async function ModelsPage() {
  const principal = await requirePrincipal();
  const models = await listModels(await requestEnv(), principal);
  if (!models.ok) notFound();
  const canManage = can(principal, "models.manage");
  return (
    <>
      <PageHeader
        title="Models"
        lede="The catalog the gateway routes by name and deployments serve: how vLLM starts each model (weights, parsers, context) and what it can do."
      />
      <section className="card" aria-labelledby="catalog">
        <h2 id="catalog">Catalog</h2>
        <DataTable testId="models-table" columns={["Model", "Served as", "Context", "Can", "Hardware", "Deployments"]}>
          {models.value.map((model) => (
            <tr key={model.id} data-model={model.publicName}>
              <NameCell
                name={
                  <>
                    {model.publicName}
                    {model.builtin ? <span className="badge">built-in</span> : null}
                    {model.enabled ? null : <span className="badge muted">disabled</span>}
                  </>
                }
                detail={model.aliases.length > 0 ? `also ${model.aliases.join(", ")}` : undefined}
              />
              <td>
                <code>{model.servedName}</code>
                <div className="muted small">{model.hfRepo}</div>
              </td>
              <td>{formatNumber(model.contextLength)}</td>
              <td>
                {model.supportsTools ? <span className="badge ok">tools</span> : null}
                {model.supportsThinking ? <span className="badge ok">thinking</span> : null}
                {model.supportsVision ? <span className="badge ok">images</span> : null}
              </td>
              <td className="small">
                {model.hardwareProfiles.map((p) => `${p.gpuCount}× ${p.gpuType} (TP ${p.tensorParallel})`).join(", ") ||
                  "—"}
              </td>
              <td>{model.deploymentCount}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      {canManage
        ? models.value.map((model) => (
            <details key={model.id} className="card disclosure-card" data-testid={`edit-${model.publicName}`}>
              <summary>Edit {model.publicName}</summary>
              <ActionForm action={updateModelAction} submitLabel="Save model">
                <input type="hidden" name="modelId" value={model.id} />
                <ModelFormFields model={model} />
              </ActionForm>
            </details>
          ))
        : null}
      {canManage ? (
        <section className="card" aria-labelledby="new-model">
          <h2 id="new-model">Add a model</h2>
          <ActionForm action={createModelAction} submitLabel="Add model" resetOnSuccess testId="create-model-form">
            <ModelFormFields model={null} />
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
