import { adminRoute } from "../../../../lib/api/admin-route";
import { listExportsEndpoint, requestExportEndpoint } from "../../../../lib/api/endpoints/export-endpoints";
// Admin REST API; the handlers live in lib/api/endpoints and are documented in lib/api/openapi-document.ts.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = adminRoute(listExportsEndpoint);
export const POST = adminRoute(requestExportEndpoint);
