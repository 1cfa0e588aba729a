import type { ReactNode } from "react";
import { Brand } from "./brand";

/** The centred card of the pages people see before they are signed in. */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <main className="auth-shell">
      <div className="auth-card">
        <h1>
          <Brand size="large" />
        </h1>
        {children}
      </div>
    </main>
  );
}
