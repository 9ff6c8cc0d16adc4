// The daily chart's numbers without the picture: a summary per series beside the chart, and every value in a
// table that opens on demand (a <details>, so without script).
import type { DailyMetrics } from '../../../schemas/analytics.ts';
import { SERIES, total } from './daily-chart.tsx';
import { formatCount, formatDay } from './format.ts';

/** Per series: the window's total, the last day and the peak, with the line's look as in the chart. */
export function DailySummary({ daily }: { daily: DailyMetrics }) {
  return (
    <dl class="series-summary">
      {SERIES.map(({ key, name }) => {
        const points = daily[key];
        const last = points.at(-1);
        const peak = points.reduce((best, p) => (p.value >= best.value ? p : best), points[0] ?? { day: '', value: 0 });
        return (
          <div data-summary={key}>
            <dt><span class={`swatch ${key}`} aria-hidden="true" />{name}</dt>
            <dd>
              <strong>{formatCount(total(points))}</strong>{` in ${points.length} days`}
              {last && <span class="sub">{`Today (${formatDay(last.day)}): ${formatCount(last.value)}`}</span>}
              {peak.value > 0 && <span class="sub">{`Peak: ${formatCount(peak.value)} on ${formatDay(peak.day)}`}</span>}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** Every value of the chart, newest day first: the numbers without the picture. */
export function DailyTable({ daily }: { daily: DailyMetrics }) {
  const rows = daily.logins.map((p, i) => ({ day: p.day, values: SERIES.map(({ key }) => daily[key][i]?.value ?? 0) })).reverse();
  return (
    <details>
      <summary>Every day's numbers</summary>
      <div class="scroll" tabindex={0} role="region" aria-label="Daily numbers">
        <table id="daily-table">
          <caption>Per day, newest first (UTC days)</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {SERIES.map(({ name }) => <th scope="col" class="num">{name}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row" class="mono">{row.day}</th>
                {row.values.map((v) => <td class="num">{formatCount(v)}</td>)}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {SERIES.map(({ key }) => <td class="num">{formatCount(total(daily[key]))}</td>)}
            </tr>
          </tfoot>
        </table>
      </div>
    </details>
  );
}
