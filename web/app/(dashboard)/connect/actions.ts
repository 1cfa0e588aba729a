"use server";

import { actAs } from "../../../lib/forms/act-as";
import { text } from "../../../lib/forms/form-data";
import type { FormState } from "../../../lib/forms/form-state";
import { testConnection } from "../../../lib/operations/connect";
import { createKeyAs } from "../../../lib/operations/keys";
import { getConfig } from "../../../lib/services";

/** Issues the signed-in person a key of their own in one of their teams. */
export async function createMyKeyAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      createKeyAs(env, principal, {
        teamId: text(form, "teamId") ?? "",
        name: text(form, "name") ?? "claude-code",
        ownerUserId: principal.userId,
      }),
    ({ key, secret }) => ({
      message: `Key ${key.name} created. It is filled in below; copy the setup now, the secret is shown only once.`,
      reveals: [{ label: "Your new API key", value: secret, hint: "Perimeter keeps only a hash of it." }],
    }),
    ["/connect", "/keys"],
  );
}

/** Sends a real request through the gateway with the pasted key and reports the answer and latency. */
export async function testConnectionAction(_state: FormState, form: FormData): Promise<FormState> {
  return actAs(
    (env, principal) =>
      testConnection(env, principal, { key: text(form, "key") ?? "" }, getConfig().gatewayInternalUrl),
    (result) =>
      result.passed
        ? {
            message: `Connected: ${result.model} answered in ${result.latencyMs} ms (${result.usage ? `${result.usage.inputTokens} in / ${result.usage.outputTokens} out tokens` : "no usage reported"}).`,
            reveals: [{ label: "The model said", value: result.text || "(empty answer)" }],
          }
        : {
            message: `Not working yet: ${result.status ? `HTTP ${result.status} ` : ""}${result.errorType}: ${result.message} (${result.latencyMs} ms)`,
          },
    [],
  );
}
