import type { Reveal } from "../lib/forms/form-state";
import { CopyButton } from "./copy-button";

/** A value shown once (a new key's secret, an invitation link) with a copy button. */
export function RevealBox({ reveal }: { reveal: Reveal }) {
  return (
    <div className="reveal" data-testid="reveal">
      <div className="reveal-head">
        <strong>{reveal.label}</strong>
        <CopyButton value={reveal.value} />
      </div>
      <code className="reveal-value" data-testid="reveal-value">
        {reveal.value}
      </code>
      {reveal.hint ? <p className="hint">{reveal.hint}</p> : null}
    </div>
  );
}
