/** The product mark and name. */
export function Brand({ size = "normal" }: { size?: "normal" | "large" }) {
  return (
    <span className={size === "large" ? "brand large" : "brand"}>
      <svg className="mark" viewBox="0 0 24 24" aria-hidden="true">
        <rect x="3" y="3" width="18" height="18" rx="4" fill="none" stroke="currentColor" strokeWidth="2" />
        <rect x="8" y="8" width="8" height="8" rx="1.5" fill="currentColor" />
      </svg>
      <span>Perimeter</span>
    </span>
  );
}
