import { getSessionPrincipal, requestEnv } from "../../../../../lib/auth/session";
import { exportFileResponse } from "../../../../../lib/exports/export-file-response";
import { openExportFile } from "../../../../../lib/operations/exports";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const failureStatus = { NOT_FOUND: 404, FORBIDDEN: 404, CONFLICT: 409, INVALID: 400 } as const;

/**
 * `/exports/{id}/file` and `/exports/{id}/manifest` for the dashboard's signed-in admins and auditors:
 * the same rights and streaming as the API's download routes, authenticated by the session cookie.
 */
export async function GET(
  _request: Request,
  context: { params: Promise<{ exportId: string; part: string }> },
): Promise<Response> {
  const { exportId, part } = await context.params;
  const principal = await getSessionPrincipal();
  if (!principal) return new Response("sign in first\n", { status: 401, headers: { "cache-control": "no-store" } });
  if (part !== "file" && part !== "manifest") return new Response("not found\n", { status: 404 });
  const file = await openExportFile(await requestEnv(), principal, { exportId, part });
  if (!file.ok) {
    return new Response(`${file.message}\n`, {
      status: failureStatus[file.code],
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  return exportFileResponse(file.value);
}
