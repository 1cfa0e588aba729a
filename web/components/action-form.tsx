"use client";

import {
  createContext,
  type FormEvent,
  type ReactNode,
  startTransition,
  useActionState,
  useContext,
  useId,
} from "react";
import { type FormState, initialFormState } from "../lib/forms/form-state";
import { RevealBox } from "./reveal-box";

type Action = (state: FormState, form: FormData) => Promise<FormState>;

const FormStateContext = createContext<FormState>(initialFormState);

/**
 * A form bound to a server action through `useActionState`: fields inside read their error from the
 * action's answer, the answer's message is announced, and reveals (secrets, links) are shown once.
 * What was typed stays after an answer (React resets a form after its action by default, which
 * would throw away the input a field error is about); `resetOnSuccess` clears it after a success.
 * Works without JavaScript too (the action still runs; the page re-renders).
 */
export function ActionForm({
  action,
  children,
  submitLabel,
  className,
  resetOnSuccess = false,
  testId,
}: {
  action: Action;
  children: ReactNode;
  submitLabel: string;
  className?: string;
  resetOnSuccess?: boolean;
  testId?: string;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => formAction(data));
  };
  return (
    <FormStateContext.Provider value={state}>
      <form
        action={formAction}
        onSubmit={submit}
        className={className ?? "form"}
        data-testid={testId}
        noValidate
        key={resetOnSuccess && state.ok ? JSON.stringify(state.reveals ?? state.message) : undefined}
      >
        {children}
        <div className="form-actions">
          <SubmitButton label={submitLabel} pending={pending} />
        </div>
        {state.message ? (
          <p className={state.ok ? "notice success" : "notice error"} role={state.ok ? "status" : "alert"}>
            {state.message}
          </p>
        ) : null}
      </form>
      {state.ok && state.reveals?.map((reveal) => <RevealBox key={reveal.label} reveal={reveal} />)}
    </FormStateContext.Provider>
  );
}

function SubmitButton({ label, pending }: { label: string; pending: boolean }) {
  return (
    <button type="submit" className="button primary" disabled={pending} aria-disabled={pending}>
      {pending ? "Working…" : label}
    </button>
  );
}

/** The error the last answer gave for `name`, if any. */
export function useFieldError(name: string): string | undefined {
  return useContext(FormStateContext).fields?.[name];
}

interface FieldShell {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
}

/** Label, hint and error around one control, linked for screen readers. */
function useFieldShell({ name, hint }: FieldShell) {
  const id = useId();
  const error = useFieldError(name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return { id, error, control: { id, name, "aria-invalid": Boolean(error), "aria-describedby": describedBy } };
}

/** The hint and the error under a control, with the ids its `aria-describedby` names. */
function FieldNotes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

function Shell({ shell, id, error, children }: { shell: FieldShell; id: string; error?: string; children: ReactNode }) {
  return (
    <div className={error ? "field has-error" : "field"}>
      <label htmlFor={id}>
        {shell.label}
        {shell.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {children}
      <FieldNotes id={id} hint={shell.hint} error={error} />
    </div>
  );
}

/** A labelled input with its error from the last answer. */
export function Field(
  props: FieldShell & {
    type?: string;
    defaultValue?: string | number | null;
    placeholder?: string;
    autoComplete?: string;
    inputMode?: "numeric" | "text" | "email";
  },
) {
  const { id, error, control } = useFieldShell(props);
  return (
    <Shell shell={props} id={id} error={error}>
      <input
        {...control}
        type={props.type ?? "text"}
        defaultValue={props.defaultValue ?? undefined}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
      />
    </Shell>
  );
}

/** A labelled select with its error from the last answer. */
export function SelectField(
  props: FieldShell & { options: { value: string; label: string }[]; defaultValue?: string },
) {
  const { id, error, control } = useFieldShell(props);
  return (
    <Shell shell={props} id={id} error={error}>
      <select {...control} defaultValue={props.defaultValue} required={props.required}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

/** A labelled multi-line input with its error from the last answer. */
export function TextAreaField(props: FieldShell & { defaultValue?: string; placeholder?: string; rows?: number }) {
  const { id, error, control } = useFieldShell(props);
  return (
    <Shell shell={props} id={id} error={error}>
      <textarea {...control} defaultValue={props.defaultValue} placeholder={props.placeholder} rows={props.rows ?? 2} />
    </Shell>
  );
}

/** A labelled checkbox (posted as "on" when ticked) with its error from the last answer. */
export function CheckboxField(props: Omit<FieldShell, "required"> & { defaultChecked?: boolean }) {
  const { id, error, control } = useFieldShell(props);
  return (
    <div className={error ? "field checkbox has-error" : "field checkbox"}>
      <label htmlFor={id}>
        <input {...control} type="checkbox" defaultChecked={props.defaultChecked} />
        {props.label}
      </label>
      <FieldNotes id={id} hint={props.hint} error={error} />
    </div>
  );
}

/** The answer's message for fields the form has no control for (`_`), if any. */
export function FormLevelError() {
  const error = useFieldError("_");
  return error ? (
    <p className="field-error" role="alert">
      {error}
    </p>
  ) : null;
}
