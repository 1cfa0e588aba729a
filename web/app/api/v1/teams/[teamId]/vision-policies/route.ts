import { adminRoute } from "../../../../../../lib/api/admin-route";
import { listVisionPoliciesEndpoint } from "../../../../../../lib/api/endpoints/vision-policy-endpoints";
// Admin REST API; the handlers live in lib/api/endpoints and are documented in lib/api/openapi-document.ts.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = adminRoute(listVisionPoliciesEndpoint);
