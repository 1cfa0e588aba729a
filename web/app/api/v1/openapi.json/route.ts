import { openApiDocument } from "../../../../lib/api/openapi-document";

// Public on purpose: the document describes the API, not any data, so tooling can fetch it unauthenticated.
export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
