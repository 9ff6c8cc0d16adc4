// The daily line chart (logins, registrations, reservations over the window), drawn as inline SVG on the
// server: the CSP allows no script, so no charting library could run in the browser anyway; the page works
// offline and with nothing to bundle or load; and the numbers are in the HTML, testable and readable by
// anyone. Reading without hovering: gridlines carry their values, each series' peak and latest day are
// written above their points, the series differ by dash pattern as well as colour, and a summary and a
// table beside the chart give every value (daily-table.tsx).
import type { DailyMetric } from '../../../redis/keys.ts';
import type { DailyMetrics, DailyPoint } from '../../../schemas/analytics.ts';
import { type Label, niceTicks, placeLabels, textWidth } from './chart-scale.ts';
import { round, ValueGrid } from './value-grid.tsx';
import { formatCompact, formatCount, formatDay } from './format.ts';

export const SERIES: { key: DailyMetric; name: string }[] = [
  { key: 'logins', name: 'Logins' },
  { key: 'registrations', name: 'Registrations' },
  { key: 'reservations', name: 'Reservations' },
];

// Laid out for the largest text the stylesheet gives the chart (on a phone, where the picture is scaled down
// the most): LABEL units for axis and value labels, 20 for the legend.
const W = 600;
const H = 340;
const LEFT = 60;
const RIGHT = 34;
const TOP = 62;
const BOTTOM = H - 36;
const LABEL = 19;

export const total = (points: DailyPoint[]) => points.reduce((sum, p) => sum + p.value, 0);

/** Each series' peak (its latest occurrence) and its last day, when not zero. */
function valueLabels(daily: DailyMetrics, x: (i: number) => number, y: (v: number) => number, days: number): Label[] {
  const labels: Label[] = [];
  for (const { key } of SERIES) {
    const points = daily[key];
    const max = Math.max(0, ...points.map((p) => p.value));
    const peak = points.map((p) => p.value).lastIndexOf(max);
    const marked = new Set([max > 0 ? peak : -1, (points.at(-1)?.value ?? 0) > 0 ? points.length - 1 : -1]);
    for (const i of marked) {
      if (i < 0) continue;
      const anchor = i === 0 && days > 1 ? 'start' : 'middle';
      labels.push({ x: round(x(i)), y: round(y(points[i]!.value) - 7), text: formatCompact(points[i]!.value), anchor, className: key });
    }
  }
  return placeLabels(labels, TOP - 14, BOTTOM - 4, LABEL);
}

/** Legend entries evenly side by side; a third of the width holds the longest name at the legend's largest size. */
function legendPositions() {
  return SERIES.map((series, i) => ({ ...series, x: 8 + (i * (W - 8)) / SERIES.length }));
}

export function DailyChart({ daily }: { daily: DailyMetrics }) {
  const days = daily.logins.map((p) => p.day);
  const n = days.length;
  const ticks = niceTicks(Math.max(0, ...SERIES.flatMap(({ key }) => daily[key].map((p) => p.value))));
  const top = ticks.at(-1) ?? 1;
  const x = (i: number) => (n <= 1 ? (LEFT + W - RIGHT) / 2 : LEFT + (i * (W - RIGHT - LEFT)) / (n - 1));
  const y = (v: number) => BOTTOM - (v / top) * (BOTTOM - TOP);
  // About seven dates along the axis (room for each at the largest text size), counted back from today so
  // the last day is always named; RIGHT leaves it room to be centred under its point.
  const dayWidth = (W - RIGHT - LEFT) / Math.max(1, n - 1);
  const every = Math.max(1, Math.ceil(n / 7), Math.ceil(textWidth('Mar 30', LABEL) / dayWidth));
  const empty = SERIES.every(({ key }) => total(daily[key]) === 0);
  const first = days[0] ? formatDay(days[0]) : '';
  const last = days.at(-1) ? formatDay(days.at(-1)!) : '';
  const summary = SERIES.map(({ key, name }) => `${name}: ${formatCount(total(daily[key]))}`).join(', ');

  return (
    <svg data-chart="daily" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="daily-title daily-desc">
      <title id="daily-title">{`Logins, registrations and reservations per day, ${first} to ${last}`}</title>
      <desc id="daily-desc">{`Totals over these ${n} days: ${summary}. The table with the chart lists every value.`}</desc>
      <g class="legend">
        {legendPositions().map(({ key, name, x: at }) => (
          <g>
            <line class={`series ${key}`} x1={at} y1={18} x2={at + 30} y2={18} />
            <circle class={key} cx={at + 15} cy={18} r={3.5} />
            <text x={at + 38} y={24}>{name}</text>
          </g>
        ))}
      </g>
      <ValueGrid ticks={ticks} y={y} left={LEFT} right={W - RIGHT} bottom={BOTTOM} />
      {days.map((day, i) => (
        <g>
          <line class="axis" x1={round(x(i))} x2={round(x(i))} y1={BOTTOM} y2={BOTTOM + ((n - 1 - i) % every === 0 ? 6 : 3)} />
          {(n - 1 - i) % every === 0 && (
            <text class="axis-label" x={round(x(i))} y={BOTTOM + 9} dominant-baseline="hanging" text-anchor={i === 0 && n > 1 ? 'start' : 'middle'}>
              {formatDay(day)}
            </text>
          )}
        </g>
      ))}
      {SERIES.map(({ key }) => (
        <polyline data-series={key} class={`series ${key}`} points={daily[key].map((p, i) => `${round(x(i))},${round(y(p.value))}`).join(' ')} />
      ))}
      {SERIES.map(({ key, name }) =>
        daily[key].map((p, i) => (
          <circle data-point="" data-series={key} data-day={p.day} data-value={String(p.value)} class={p.value === 0 ? `${key} zero` : key}
            cx={round(x(i))} cy={round(y(p.value))} r={p.value === 0 ? 2.5 : 3.5}>
            <title>{`${name}, ${p.day}: ${formatCount(p.value)}`}</title>
          </circle>
        )),
      )}
      {valueLabels(daily, x, y, n).map((label) => (
        <text class={`value-label ${label.className}`} x={label.x} y={label.y} text-anchor={label.anchor}>{label.text}</text>
      ))}
      {empty && (
        <text class="empty" x={(LEFT + W - RIGHT) / 2} y={(TOP + BOTTOM) / 2} text-anchor="middle">{`Nothing counted in these ${n} days`}</text>
      )}
    </svg>
  );
}
