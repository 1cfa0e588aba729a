import { revalidatePath } from "next/cache";
import { getSessionPrincipal, requestEnv } from "../auth/session";
import type { Principal } from "../authz/principal";
import type { OperationEnv } from "../operations/operation-env";
import type { OperationResult } from "../operations/operation-result";
import { type FormState, type Reveal, toFormState } from "./form-state";

/**
 * The body of every dashboard server action: re-reads the signed-in user (a disabled user or an
 * ended session is refused here, not trusted from the page that rendered the form), runs the operation
 * (which checks the rights table), refreshes the pages that show what changed and answers the form.
 */
export async function actAs<T>(
  operation: (env: OperationEnv & { origin: string }, principal: Principal) => Promise<OperationResult<T>>,
  success: (value: T) => { message: string; reveals?: Reveal[] },
  revalidate: string[],
): Promise<FormState> {
  const principal = await getSessionPrincipal();
  if (!principal) return { ok: false, message: "Your session has ended. Sign in again." };
  const result = await operation(await requestEnv(), principal);
  if (result.ok) for (const path of revalidate) revalidatePath(path, "page");
  return toFormState(result, success);
}
