// The value gridlines of a server-drawn chart, each with its label at the left, and the axis under them: the
// part the daily and the occupancy charts share.
import { formatCompact } from './format.ts';

/** One decimal: enough for SVG coordinates, and short markup. */
export const round = (n: number) => Math.round(n * 10) / 10;

export function ValueGrid({ ticks, y, left, right, bottom }: { ticks: number[]; y: (value: number) => number; left: number; right: number; bottom: number }) {
  return (
    <>
      {ticks.map((tick) => (
        <g>
          <line class="gridline" x1={left} x2={right} y1={round(y(tick))} y2={round(y(tick))} />
          <text class="axis-label" x={left - 8} y={round(y(tick))} text-anchor="end" dominant-baseline="middle">{formatCompact(tick)}</text>
        </g>
      ))}
      <line class="axis" x1={left} x2={right} y1={bottom} y2={bottom} />
    </>
  );
}
