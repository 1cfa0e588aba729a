import type { ReactNode } from "react";

/**
 * A scrollable table with a header row. A column named "" is the row-actions column: its heading is
 * read out as "Actions" but not shown.
 */
export function DataTable({
  columns,
  testId,
  className,
  children,
}: {
  columns: string[];
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : "table"} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th scope="col" key={column || `actions-${index}`}>
                {column || <span className="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The first cell of a row about a person or a thing: its name, and a quieter line under it. */
export function NameCell({ name, detail, mono = false }: { name: ReactNode; detail?: ReactNode; mono?: boolean }) {
  return (
    <th scope="row">
      {name}
      {detail ? <div className={mono ? "mono muted small nowrap" : "muted small"}>{detail}</div> : null}
    </th>
  );
}

/** A select with a label only screen readers see, for a control inside a table row. */
export function InlineSelect({
  id,
  name,
  label,
  defaultValue,
  options,
}: {
  id: string;
  name: string;
  label: string;
  defaultValue: string;
  options: { value: string; label: string }[];
}) {
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </>
  );
}
