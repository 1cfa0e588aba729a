"use client";

import { useActionState, useState } from "react";
import { type FormState, initialFormState } from "../lib/forms/form-state";
import { RevealBox } from "./reveal-box";

type Action = (state: FormState, form: FormData) => Promise<FormState>;

/**
 * A small inline form for one action on one row (revoke, remove, rotate): hidden inputs carry the ids,
 * `children` may add a control (a grace-period select), and destructive ones ask for a second click
 * instead of a browser dialog.
 */
export function ConfirmAction({
  action,
  hidden,
  label,
  confirmLabel,
  danger = false,
  children,
}: {
  action: Action;
  hidden: Record<string, string>;
  label: string;
  confirmLabel?: string;
  danger?: boolean;
  children?: React.ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const [armed, setArmed] = useState(false);
  const needsConfirm = Boolean(confirmLabel);
  return (
    <div className="row-action">
      <form action={formAction} className="inline-form">
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        {/* A control that belongs to the confirmation (a grace period) appears with it. */}
        {!needsConfirm || armed ? children : null}
        {needsConfirm && !armed ? (
          <button
            type="button"
            className={danger ? "button small danger" : "button small"}
            onClick={() => setArmed(true)}
          >
            {label}
          </button>
        ) : (
          <>
            <button type="submit" className={danger ? "button small danger solid" : "button small"} disabled={pending}>
              {pending ? "Working…" : needsConfirm ? confirmLabel : label}
            </button>
            {needsConfirm ? (
              <button type="button" className="button small ghost" onClick={() => setArmed(false)}>
                Cancel
              </button>
            ) : null}
          </>
        )}
      </form>
      {state.message && !state.ok ? (
        <p className="field-error" role="alert">
          {state.message}
        </p>
      ) : null}
      {state.ok && state.reveals?.map((reveal) => <RevealBox key={reveal.label} reveal={reveal} />)}
    </div>
  );
}
