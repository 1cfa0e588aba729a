import { inspectInvitation } from "@perimeter/core";
import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm, Field } from "../../../components/action-form";
import { AuthCard } from "../../../components/auth-card";
import { getServices } from "../../../lib/services";
import { acceptInvitationAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Accept invitation · Perimeter", referrer: "no-referrer" };

const states = {
  INVALID_TOKEN: "This invitation link is not valid. Check that you copied all of it.",
  EXPIRED: "This invitation has expired. Ask the person who invited you for a new one.",
  ALREADY_USED: "This invitation was already used.",
  SUPERSEDED: "A newer invitation replaced this one. Use the latest link you received.",
  USER_DISABLED: "This account is disabled.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await inspectInvitation({ db: getServices().db }, decodeURIComponent(token));
  return (
    <AuthCard>
      {invitation.ok ? (
        <>
          <p className="lede">
            You are invited to <strong>{invitation.orgName}</strong> as <strong>{invitation.email}</strong>. Choose a
            password to finish.
          </p>
          <ActionForm
            action={acceptInvitationAction.bind(null, decodeURIComponent(token))}
            submitLabel="Create account"
          >
            <Field name="name" label="Your name" defaultValue={invitation.name} autoComplete="name" />
            <Field
              name="password"
              label="Password"
              type="password"
              required
              autoComplete="new-password"
              hint="At least 12 characters."
            />
            <Field name="confirm" label="Repeat the password" type="password" required autoComplete="new-password" />
          </ActionForm>
          <p className="auth-foot">
            Done? <Link href="/sign-in">Sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p className="notice error" role="alert">
            {states[invitation.code]}
          </p>
          <p className="auth-foot">
            <Link href="/sign-in">Go to sign-in</Link>
          </p>
        </>
      )}
    </AuthCard>
  );
}
