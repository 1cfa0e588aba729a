import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "../../components/auth-card";
import { getSessionPrincipal } from "../../lib/auth/session";
import { getConfig } from "../../lib/services";
import { SignInForm, SsoButton } from "./sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Perimeter" };

// next-auth's error codes and the ones our OIDC callback sends, in words a person can act on.
const errorMessages: Record<string, string> = {
  NotInvited: "Your account has not been invited yet. Ask an administrator for an invitation.",
  AccountDisabled: "This account is disabled. Ask an administrator.",
  EmailNotVerified: "Your identity provider did not confirm your email address.",
  NoOrganization: "Perimeter has not been set up yet.",
  OAuthSignin: "Could not reach the identity provider. Try again.",
  OAuthCallback: "The identity provider's answer could not be verified. Try again.",
  Callback: "Signing in failed. Try again.",
  AccessDenied: "Access denied.",
  SessionRequired: "Please sign in.",
};

function safeNext(value: string | string[] | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNext(params.next);
  if (await getSessionPrincipal()) redirect(next);
  const { oidc, gatewayPublicUrl } = getConfig();
  const code = typeof params.error === "string" ? params.error : undefined;
  const error = code ? (errorMessages[code] ?? code) : null;
  return (
    <AuthCard>
      <p className="lede">Claude Code on your own GPUs. Sign in to manage teams, keys and limits.</p>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {oidc ? (
        <>
          <SsoButton label={oidc.displayName} next={next} />
          <p className="divider">
            <span>or</span>
          </p>
        </>
      ) : null}
      <SignInForm next={next} />
      <p className="auth-foot">
        Gateway: <code data-testid="gateway-url">{gatewayPublicUrl}</code>
      </p>
    </AuthCard>
  );
}
