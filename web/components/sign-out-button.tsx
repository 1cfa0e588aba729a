"use client";

import { signOut } from "next-auth/react";

/** Ends the session (clears the cookie through next-auth) and goes back to the sign-in page. */
export function SignOutButton() {
  return (
    <button
      type="button"
      className="button ghost small"
      onClick={async () => {
        await signOut({ redirect: false });
        window.location.assign("/sign-in");
      }}
    >
      Sign out
    </button>
  );
}
