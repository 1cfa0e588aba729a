"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the page's server components every `everyMs` while `active` and the tab is visible
 * (Next's `router.refresh()`: fresh data, no reload, typed form input kept), with a quiet "live" mark.
 */
export function AutoRefresh({ active, everyMs, label }: { active: boolean; everyMs: number; label: string }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, router]);
  if (!active) return null;
  return (
    <span className="live" data-testid="live">
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
