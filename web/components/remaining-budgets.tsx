import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { levelLabels, limitGroups } from "../lib/limit-labels";
import type { RemainingBudget } from "../lib/quota/remaining-budgets";

const labels = new Map(limitGroups.flatMap((group) => group.fields).map((f) => [f.field, `${f.label} ${f.unit}`]));

/**
 * What is left of each calendar budget right now, least left first, as the gateway counts it (requests
 * in flight included): the answer to "how much can I still use today?".
 */
export function RemainingBudgets({ budgets }: { budgets: RemainingBudget[] | "unavailable" | null }) {
  if (budgets === null) return null;
  if (budgets === "unavailable") {
    return <p className="notice">The gateway's counters cannot be read right now; the limits above still apply.</p>;
  }
  if (budgets.length === 0) {
    return <p className="muted">No daily, weekly or monthly token budget applies to this key.</p>;
  }
  const now = new Date();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="remaining-budgets">
        <caption className="visually-hidden">Remaining token budgets, least left first</caption>
        <thead>
          <tr>
            <th scope="col">Budget</th>
            <th scope="col">Used</th>
            <th scope="col">Remaining</th>
            <th scope="col">Starts again</th>
          </tr>
        </thead>
        <tbody>
          {budgets.map((budget) => (
            <tr key={budget.name}>
              <th scope="row">
                {labels.get(budget.field) ?? budget.field} <span className="muted">· {levelLabels[budget.level]}</span>
              </th>
              <td>
                <meter
                  min={0}
                  max={budget.limit}
                  value={budget.used}
                  low={budget.limit * 0.7}
                  high={budget.limit * 0.9}
                  optimum={0}
                />{" "}
                {formatNumber(budget.used)} of {formatNumber(budget.limit)}
              </td>
              <td>
                <strong>{formatNumber(budget.remaining)}</strong>
              </td>
              <td title={`${formatDateTime(budget.resetsAt)} UTC`}>{formatRelative(budget.resetsAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
