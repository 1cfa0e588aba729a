import { createHmac } from "node:crypto";
import { recordSignIn, resolveSsoUser } from "@perimeter/core";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { WebConfig } from "../env";
import { clientAddress, userAgentOf } from "../request-meta";
import type { WebServices } from "../services";
import { defaultLoginThrottle } from "./login-throttle";
import { signInWithPassword } from "./password-sign-in";

/** Sessions last a working day; the user's status is still checked on every request. */
const sessionMaxAgeSec = 12 * 60 * 60;

/** The id of the OIDC provider in next-auth's routes (`/api/auth/signin/oidc`). */
export const oidcProviderId = "oidc";

const ssoErrors = {
  NOT_INVITED: "NotInvited",
  USER_DISABLED: "AccountDisabled",
  UNVERIFIED: "EmailNotVerified",
  NO_ORGANIZATION: "NoOrganization",
} as const;

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

/**
 * next-auth's configuration: email + password (throttled, argon2id) and, when configured, one generic
 * OpenID Connect provider (authorization code with PKCE, state and nonce). Sessions are encrypted JWT
 * cookies (HttpOnly, SameSite=Lax, Secure when `secure`) holding only the user id; everything else is
 * re-read per request. The session key is derived from PERIMETER_SECRET.
 */
export function buildAuthOptions(
  services: Pick<WebServices, "db" | "redis" | "keyPepper" | "log">,
  config: WebConfig,
  secure: boolean,
): NextAuthOptions {
  const { db, redis, keyPepper, log } = services;
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const headers = req.headers ?? {};
        const result = await signInWithPassword(
          { db, redis, keyPepper, throttle: defaultLoginThrottle },
          {
            email: credentials?.email ?? "",
            password: credentials?.password ?? "",
            ip: clientAddress(headers),
            userAgent: userAgentOf(headers),
          },
        );
        if (!result.ok) throw new Error(result.message);
        return { id: result.userId };
      },
    }),
  ];
  const oidc = config.oidc;
  if (oidc) {
    providers.push({
      id: oidcProviderId,
      name: oidc.displayName,
      type: "oauth",
      wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      profile(profile: OidcProfile) {
        return {
          id: profile.sub,
          email: profile.email ?? null,
          name: profile.name ?? profile.preferred_username ?? null,
        };
      },
    });
  }

  return {
    secret: createHmac("sha256", config.perimeterSecret).update("perimeter/web/session").digest("base64url"),
    session: { strategy: "jwt", maxAge: sessionMaxAgeSec, updateAge: 60 * 60 },
    useSecureCookies: secure,
    providers,
    pages: { signIn: "/sign-in", error: "/sign-in" },
    logger: {
      error: (code, metadata) => log.error("auth error", { code, detail: String((metadata as Error)?.message ?? "") }),
      warn: (code) => log.warn("auth warning", { code }),
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== oidcProviderId) return true;
        const claims = profile as OidcProfile | undefined;
        const email = claims?.email?.trim().toLowerCase();
        if (!email || claims?.email_verified === false) return `/sign-in?error=${ssoErrors.UNVERIFIED}`;
        const org = await db.organization.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
        if (!org) return `/sign-in?error=${ssoErrors.NO_ORGANIZATION}`;
        const domain = email.split("@")[1] ?? "";
        const resolved = await resolveSsoUser(db, {
          orgId: org.id,
          email,
          name: claims?.name,
          domainAllowed: oidc?.allowedDomains.includes(domain) ?? false,
        });
        if (!resolved.ok) return `/sign-in?error=${ssoErrors[resolved.code]}`;
        // The jwt callback receives this same object: from here on the session names our user, not `sub`.
        user.id = resolved.user.id;
        await recordSignIn(
          { db, orgId: org.id, actor: { type: "user", id: resolved.user.id, label: email }, keyPepper },
          { method: "oidc" },
        );
        return true;
      },
      jwt({ token, user }) {
        if (user) token.uid = user.id;
        return token;
      },
      session({ session, token }) {
        return { expires: session.expires, uid: token.uid } as typeof session;
      },
      // Only our own paths. The base URL is right whenever an identity provider is involved (OIDC needs
      // WEB_PUBLIC_URL); password sign-in and sign-out ask for no redirect and navigate by path.
      redirect({ url, baseUrl }) {
        if (url.startsWith("/") && !url.startsWith("//")) return `${baseUrl}${url}`;
        if (url.startsWith(`${baseUrl}/`) || url === baseUrl) return url;
        return baseUrl;
      },
    },
  };
}
