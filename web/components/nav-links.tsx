"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** The sidebar's links; the current section is marked for sighted and screen-reader users alike. */
export function NavLinks({ links }: { links: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <ul className="nav-list">
      {links.map((link) => {
        const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
        return (
          <li key={link.href}>
            <Link
              href={link.href}
              className={current ? "nav-link current" : "nav-link"}
              aria-current={current ? "page" : undefined}
            >
              {link.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
