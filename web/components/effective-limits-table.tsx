import type { EffectiveLimits, LimitLevel } from "@perimeter/core";
import { formatNumber } from "../lib/format";
import { levelLabels, limitGroups } from "../lib/limit-labels";

/**
 * Every limit at every level that applies, with the binding one marked: the answer to "why was I
 * throttled at 60 requests a minute when my key says 120?". Rows no level sets are left out.
 */
export function EffectiveLimitsTable({ levels, effective }: { levels: LimitLevel[]; effective: EffectiveLimits }) {
  const rows = limitGroups.flatMap((group) =>
    group.fields
      .filter(({ field }) => effective.numbers[field].value !== null)
      .map((row) => ({ ...row, group: group.title })),
  );
  return (
    <div className="table-wrap">
      <table className="table limits-table" data-testid="effective-limits">
        <caption className="visually-hidden">Limits at each level; the binding one is highlighted</caption>
        <thead>
          <tr>
            <th scope="col">Limit</th>
            {levels.map((level) => (
              <th scope="col" key={level}>
                {levelLabels[level]}
              </th>
            ))}
            <th scope="col">Effective</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={levels.length + 2} className="muted">
                No limits at any level: only the models' own capacity applies.
              </td>
            </tr>
          ) : (
            rows.map(({ field, label, unit }) => {
              const entry = effective.numbers[field];
              return (
                <tr key={field}>
                  <th scope="row">
                    {label} <span className="muted">{unit}</span>
                  </th>
                  {levels.map((level) => {
                    const binding = entry.level === level;
                    return (
                      <td key={level} className={binding ? "binding" : undefined}>
                        {entry.byLevel[level] === undefined ? (
                          <span className="muted">—</span>
                        ) : (
                          formatNumber(entry.byLevel[level])
                        )}
                        {binding ? <span className="badge accent">tightest</span> : null}
                      </td>
                    );
                  })}
                  <td>
                    <strong>{formatNumber(entry.value)}</strong>
                  </td>
                </tr>
              );
            })
          )}
          <tr>
            <th scope="row">Models</th>
            <td colSpan={levels.length}>
              {effective.allowedModels.levels.length > 0
                ? `restricted by ${effective.allowedModels.levels.map((l) => levelLabels[l].toLowerCase()).join(", ")}`
                : ""}
            </td>
            <td>
              <strong>
                {effective.allowedModels.models === null
                  ? "all enabled models"
                  : effective.allowedModels.models.join(", ") || "none"}
              </strong>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
