"use client";

import { signIn } from "next-auth/react";
import { useEffect, useState } from "react";

/** Email + password sign-in through next-auth's credentials callback; errors are the server's own words. */
export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Until React has hydrated, a click would submit the form natively; keep the button off until then.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return (
    <form
      className="form"
      method="post"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        setPending(true);
        setError(null);
        const result = await signIn("credentials", {
          email: String(data.get("email") ?? ""),
          password: String(data.get("password") ?? ""),
          redirect: false,
        }).catch(() => null);
        setPending(false);
        if (!result || result.error) {
          setError(
            !result
              ? "Could not reach the server. Try again."
              : result.error && result.error !== "CredentialsSignin"
                ? result.error
                : "Wrong email or password.",
          );
          return;
        }
        window.location.assign(next);
      }}
    >
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required aria-invalid={Boolean(error)} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={Boolean(error)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button primary wide" disabled={pending || !ready}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </div>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** Starts the OpenID Connect flow with the configured identity provider. */
export function SsoButton({ label, next }: { label: string; next: string }) {
  return (
    <button type="button" className="button wide" onClick={() => signIn("oidc", { callbackUrl: next })}>
      Continue with {label}
    </button>
  );
}
