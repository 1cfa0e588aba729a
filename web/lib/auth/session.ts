import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { cache } from "react";
import type { Principal } from "../authz/principal";
import type { OperationEnv } from "../operations/operation-env";
import { clientAddress, requestOrigin, userAgentOf } from "../request-meta";
import { getConfig, getServices } from "../services";
import { buildAuthOptions } from "./auth-options";
import { loadUserPrincipal } from "./load-principal";

/** Whether the browser reached us over https, which decides the cookies' Secure flag and names. */
export function isSecureOrigin(origin: string): boolean {
  return origin.startsWith("https://");
}

/** The next-auth options for the current request (cookie security follows the request's origin). */
export async function authOptionsForRequest() {
  const config = getConfig();
  const origin = requestOrigin(await headers(), config.webPublicUrl);
  return buildAuthOptions(getServices(), config, isSecureOrigin(origin));
}

/**
 * The signed-in user of this request, or null. The session cookie only names the user; role, team
 * roles and status are read from the database each time (once per request, thanks to `cache`).
 */
export const getSessionPrincipal = cache(async (): Promise<Principal | null> => {
  const session = await getServerSession(await authOptionsForRequest());
  const uid = (session as { uid?: unknown } | null)?.uid;
  if (typeof uid !== "string") return null;
  return loadUserPrincipal(getServices().db, uid);
});

/** The signed-in user, or a redirect to the sign-in page. */
export async function requirePrincipal(): Promise<Principal> {
  const principal = await getSessionPrincipal();
  if (!principal) redirect("/sign-in");
  return principal;
}

/** The operation environment of the current request: database, pepper, client address and user agent. */
export async function requestEnv(): Promise<OperationEnv & { origin: string }> {
  const h = await headers();
  const { db, keyPepper, redis, exportQueue, exportDir } = getServices();
  return {
    db,
    keyPepper,
    changes: redis,
    redis,
    exportQueue,
    exportDir,
    request: { ip: clientAddress(h), userAgent: userAgentOf(h) },
    origin: requestOrigin(h, getConfig().webPublicUrl),
  };
}
