import { checkWebHealth } from "../../../lib/health";
import { getServices } from "../../../lib/services";

// Probed at request time only: never prerendered, and no environment is read during `next build`.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(): Promise<Response> {
  const { status, body } = await checkWebHealth(getServices());
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}
