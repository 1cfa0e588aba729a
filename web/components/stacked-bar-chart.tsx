import { type ChartFrame, layoutStackedBars, type StackedBucket } from "../lib/charts/stacked-bars";
import { formatNumber } from "../lib/format";

const frame: ChartFrame = { width: 560, height: 200, left: 44, right: 8, top: 10, bottom: 24 };

/** The colour slot of a group: its position in the legend, with "other" always grey. */
export function seriesClass(index: number, isOther: boolean): string {
  return isOther ? "series-other" : `series-${(index % 8) + 1}`;
}

/**
 * A stacked bar chart drawn as plain SVG on the server (nothing to download, nothing to hydrate):
 * one bar per bucket, one colour per group, gridlines with compact labels. Every segment carries a
 * `<title>`, which browsers show on hover and screen readers read; the table beside it has the numbers.
 */
export function StackedBarChart({
  title,
  buckets,
  groups,
  labels,
  otherKey,
  bucketLabel,
  testId,
}: {
  title: string;
  buckets: StackedBucket[];
  groups: string[];
  labels: Record<string, string>;
  otherKey: string;
  /** How a bucket's start is written under the axis and in tooltips. */
  bucketLabel: (start: string, short: boolean) => string;
  testId?: string;
}) {
  const layout = layoutStackedBars(buckets, groups, frame);
  const total = layout.bars.reduce((sum, bar) => sum + bar.total, 0);
  const plotBottom = frame.height - frame.bottom;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <strong className="chart-total">{formatNumber(total)}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${frame.width} ${frame.height}`}
        role="img"
        aria-label={`${title}: ${formatNumber(total)} in total over ${buckets.length} buckets`}
        className="chart-svg"
      >
        {layout.yTicks.map((tick) => (
          <g key={tick.value} className="chart-grid">
            <line x1={frame.left} x2={frame.width - frame.right} y1={tick.y} y2={tick.y} />
            <text x={frame.left - 6} y={tick.y + 4} textAnchor="end">
              {tick.label}
            </text>
          </g>
        ))}
        {layout.bars.map((bar) => (
          <g key={bar.start} className="chart-bar">
            <title>{`${bucketLabel(bar.start, false)}: ${formatNumber(bar.total)}`}</title>
            {/* The whole slot answers hover, also where the bar is short or absent. */}
            <rect
              x={bar.x}
              y={frame.top}
              width={Math.max(bar.width, 1)}
              height={plotBottom - frame.top}
              className="chart-hit"
            />
            {bar.segments.map((segment) => (
              <rect
                key={segment.group}
                x={bar.x}
                y={segment.y}
                width={Math.max(bar.width, 1)}
                height={Math.max(segment.height, 0.5)}
                className={seriesClass(groups.indexOf(segment.group), segment.group === otherKey)}
              >
                <title>{`${labels[segment.group] ?? segment.group} · ${bucketLabel(bar.start, false)}: ${formatNumber(segment.value)}`}</title>
              </rect>
            ))}
          </g>
        ))}
        <line className="chart-axis" x1={frame.left} x2={frame.width - frame.right} y1={plotBottom} y2={plotBottom} />
        {layout.xLabelIndexes.map((index) => {
          const bar = layout.bars[index];
          if (!bar) return null;
          return (
            <text
              key={bar.start}
              className="chart-x"
              x={bar.x + bar.width / 2}
              y={frame.height - 6}
              textAnchor="middle"
            >
              {bucketLabel(bar.start, true)}
            </text>
          );
        })}
      </svg>
      {total === 0 ? <p className="chart-empty">Nothing in this range</p> : null}
    </figure>
  );
}

/** The groups' colours and names, shared by every chart of a page. */
export function ChartLegend({
  groups,
  labels,
  otherKey,
}: {
  groups: string[];
  labels: Record<string, string>;
  otherKey: string;
}) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {groups.map((group, index) => (
        <li key={group}>
          <span className={`swatch ${seriesClass(index, group === otherKey)}`} aria-hidden="true" />
          {labels[group] ?? group}
        </li>
      ))}
    </ul>
  );
}
