import type { ReactNode } from "react";
import { Brand } from "../../components/brand";
import { NavLinks } from "../../components/nav-links";
import { SignOutButton } from "../../components/sign-out-button";
import { requirePrincipal } from "../../lib/auth/session";
import { displayRole } from "../../lib/authz/principal";
import { can } from "../../lib/authz/rights";

export const dynamic = "force-dynamic";

const roleLabels = { admin: "Admin", auditor: "Auditor", team_admin: "Team admin", developer: "Developer" } as const;

/** Every dashboard page: signed-in only, with the sections the person's role can use. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  const links = [
    { href: "/connect", label: "Connect" },
    { href: "/teams", label: "Teams" },
    { href: "/keys", label: "API keys" },
    { href: "/limits", label: "Limits" },
    { href: "/usage", label: "Usage" },
    ...(can(principal, "exports.read") ? [{ href: "/exports", label: "Exports" }] : []),
    ...(can(principal, "models.read") ? [{ href: "/models", label: "Models" }] : []),
    ...(can(principal, "deployments.read") ? [{ href: "/deployments", label: "Deployments" }] : []),
    ...(can(principal, "users.read") ? [{ href: "/users", label: "People" }] : []),
    ...(can(principal, "audit.read") ? [{ href: "/audit", label: "Audit log" }] : []),
    ...(can(principal, "org.read") ? [{ href: "/settings", label: "Settings" }] : []),
  ];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-brand">
          <Brand />
        </div>
        <nav aria-label="Sections">
          <NavLinks links={links} />
        </nav>
        <div className="sidebar-foot">
          <div className="who">
            <span className="who-name">{principal.name}</span>
            <span className="who-email">{principal.email}</span>
            <span className="badge">{roleLabels[displayRole(principal)]}</span>
          </div>
          <SignOutButton />
        </div>
      </aside>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
