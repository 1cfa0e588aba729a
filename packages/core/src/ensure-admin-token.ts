import { timingSafeEqual } from "node:crypto";
import { newId } from "@perimeter/db";
import { z } from "zod";
import { toApiKeyView } from "./api-key-view.ts";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { Actor, DbClient } from "./context.ts";
import { hashApiKey } from "./hash-api-key.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { parseApiKey } from "./parse-api-key.ts";

export const ensureAdminTokenInputSchema = z.strictObject({
  orgId: z.string().min(1),
  token: z.string(),
});
/** The key pepper is configuration, not user input, so it sits beside the validated fields. */
export type EnsureAdminTokenInput = z.input<typeof ensureAdminTokenInputSchema> & { keyPepper: Uint8Array };

/** Name of the admin-scope key that `ensureAdminToken` registers. */
export const bootstrapAdminKeyName = "bootstrap admin token";

const adminTokenActor: Actor = { type: "system", label: "PERIMETER_ADMIN_TOKEN" };

async function ensureOnce(
  db: DbClient,
  input: z.output<typeof ensureAdminTokenInputSchema>,
  publicId: string,
  hash: string,
) {
  return db.$transaction(async (tx) => {
    const existing = await tx.apiKey.findUnique({ where: { publicId } });
    if (existing) {
      const same = timingSafeEqual(Buffer.from(existing.hash, "hex"), Buffer.from(hash, "hex"));
      if (!same) {
        throw new Error(
          `PERIMETER_ADMIN_TOKEN: a different key with public id ${publicId} already exists; ` +
            "generate a new token (or unset the variable) instead of reusing that id",
        );
      }
      if (existing.orgId !== input.orgId) {
        throw new Error(`PERIMETER_ADMIN_TOKEN is already registered in organization ${existing.orgId}`);
      }
      // Same token: already registered. A revoked one stays revoked; the variable does not revive it.
      return { created: false };
    }
    const key = await tx.apiKey.create({
      data: {
        id: newId("apiKey"),
        orgId: input.orgId,
        publicId,
        hash,
        last4: input.token.slice(-4),
        name: bootstrapAdminKeyName,
        scope: "admin",
      },
    });
    const audit = { orgId: input.orgId, actor: adminTokenActor };
    await appendAuditEvent(tx, audit, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: key.id,
      after: toApiKeyView(key),
    });
    return { created: true };
  });
}

/**
 * Registers the operator-supplied PERIMETER_ADMIN_TOKEN (a full `sk-prm-…` token) as an admin-scope key
 * of `orgId`, storing only its hash. Idempotent: a token already registered is left alone (even if it
 * was revoked since). Throws when the token is malformed or its public id belongs to a different key.
 */
export async function ensureAdminToken(db: DbClient, rawInput: EnsureAdminTokenInput): Promise<{ created: boolean }> {
  const { keyPepper, ...fields } = rawInput;
  const input = ensureAdminTokenInputSchema.parse(fields);
  const parsed = parseApiKey(input.token);
  if (!parsed.ok) {
    throw new Error(
      "PERIMETER_ADMIN_TOKEN is not a Perimeter key: expected sk-prm-<12 characters of 0-9a-z without i l o u>-<43 base64url characters>",
    );
  }
  const hash = hashApiKey(keyPepper, input.token);
  try {
    return await ensureOnce(db, input, parsed.publicId, hash);
  } catch (error) {
    // Another process registered it between our read and insert; the second look sees its row.
    if (isUniqueViolation(error, "api_keys_public_id_key")) return ensureOnce(db, input, parsed.publicId, hash);
    throw error;
  }
}
