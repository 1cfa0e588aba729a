import { createHash } from "node:crypto";
import { canonicalJson } from "@perimeter/core";

/**
 * A revision: the first 16 hex digits of SHA-256 over the canonical JSON of a rendered artifact. Any
 * change to what would run changes it, and nothing else does (a field-by-field comparison misses
 * changes: production-stack's `deploymentNeedsUpdate`).
 */
export function revisionHash(artifact: unknown): string {
  return createHash("sha256").update(canonicalJson(artifact)).digest("hex").slice(0, 16);
}
