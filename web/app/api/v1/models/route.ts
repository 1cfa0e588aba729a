import { adminRoute } from "../../../../lib/api/admin-route";
import { createModelEndpoint, listModelsEndpoint } from "../../../../lib/api/endpoints/model-endpoints";
// Admin REST API; the handlers live in lib/api/endpoints and are documented in lib/api/openapi-document.ts.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = adminRoute(listModelsEndpoint);
export const POST = adminRoute(createModelEndpoint);
