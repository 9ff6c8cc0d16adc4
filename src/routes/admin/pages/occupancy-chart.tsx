// A lot's occupancy over the last hours, drawn on the server as inline SVG like the daily chart (no script, no
// library): the average spots occupied each hour as a line with a point per hour, the hour's fewest to most as
// a band behind it, and the capacity as a dashed line on top. Each point carries its hour and value, and says
// them in its title, so the figures can be read without the picture.
import type { Occupancy } from '../../../schemas/occupancy.ts';
import { niceTicks } from './chart-scale.ts';
import { round, ValueGrid } from './value-grid.tsx';

const W = 600;
const H = 260;
const LEFT = 52;
const RIGHT = 24;
const TOP = 20;
const BOTTOM = H - 34;
/** `2026-12-01T09:00:00.000Z` → `09:00`. */
const clock = (iso: string) => iso.slice(11, 16);

export function OccupancyChart({ occupancy }: { occupancy: Occupancy }) {
  const hours = occupancy.hours;
  const n = hours.length;
  const ticks = niceTicks(Math.max(0, ...hours.map((h) => Math.max(h.capacity, h.max_occupied))));
  const top = ticks.at(-1) ?? 1;
  const x = (i: number) => (n <= 1 ? (LEFT + W - RIGHT) / 2 : LEFT + (i * (W - RIGHT - LEFT)) / (n - 1));
  const y = (v: number) => BOTTOM - (v / top) * (BOTTOM - TOP);
  const every = Math.max(1, Math.ceil(n / 8));
  const band = [...hours.map((h, i) => `${round(x(i))},${round(y(h.max_occupied))}`), ...hours.map((h, i) => `${round(x(i))},${round(y(h.min_occupied))}`).reverse()].join(' ');
  const title = n === 0 ? `Lot ${occupancy.lot_id}: no history in these hours` : `Spots occupied in lot ${occupancy.lot_id}, ${clock(hours[0]!.hour)} to ${clock(hours.at(-1)!.hour)} UTC`;
  return (
    <svg data-chart="occupancy" data-lot={String(occupancy.lot_id)} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="occupancy-title">
      <title id="occupancy-title">{title}</title>
      <ValueGrid ticks={ticks} y={y} left={LEFT} right={W - RIGHT} bottom={BOTTOM} />
      {hours.map((h, i) =>
        (n - 1 - i) % every === 0 ? (
          <text class="axis-label" x={round(x(i))} y={BOTTOM + 9} dominant-baseline="hanging" text-anchor="middle">{clock(h.hour)}</text>
        ) : null,
      )}
      {n > 1 && <polygon class="occupancy-band" points={band} />}
      {n > 1 && <polyline class="series capacity" points={hours.map((h, i) => `${round(x(i))},${round(y(h.capacity))}`).join(' ')} />}
      {n > 1 && <polyline class="series occupied" points={hours.map((h, i) => `${round(x(i))},${round(y(h.avg_occupied))}`).join(' ')} />}
      {hours.map((h, i) => (
        <circle data-point="" data-hour={h.hour} data-value={String(h.avg_occupied)} class="occupied" cx={round(x(i))} cy={round(y(h.avg_occupied))} r={3}>
          <title>{`${clock(h.hour)} UTC: ${h.avg_occupied} of ${h.capacity} spots occupied on average (${h.min_occupied} to ${h.max_occupied})`}</title>
        </circle>
      ))}
      {n === 0 && <text class="empty" x={(LEFT + W - RIGHT) / 2} y={(TOP + BOTTOM) / 2} text-anchor="middle">No history in these hours</text>}
    </svg>
  );
}

/** The dashboard's section: a form to choose a lot (a plain GET, no script) and its chart once chosen. */
export function OccupancySection({ occupancy, missing }: { occupancy: Occupancy | undefined; missing: number | undefined }) {
  return (
    <section class="panel" id="occupancy" aria-labelledby="h-occupancy">
      <h2 id="h-occupancy">Occupancy of a lot, last 24 hours</h2>
      <form id="occupancy-lot" method="get" action="/admin/redis-dashboard">
        <label for="lot">Lot id</label> <input id="lot" name="lot" type="number" min="1" required value={String(occupancy?.lot_id ?? missing ?? '')} />{' '}
        <button type="submit">Show</button>
      </form>
      {missing !== undefined && <p class="note" data-testid="lot-missing">{`There is no parking lot ${missing}.`}</p>}
      {occupancy && (
        <div class="chart chart-occupancy">
          <OccupancyChart occupancy={occupancy} />
          <p class="note">Average spots occupied (reserved or parked) each UTC hour, the band from the fewest to the most, the dashed line the capacity.</p>
        </div>
      )}
    </section>
  );
}
