// The response-code bar chart, inline SVG drawn on the server for the same reasons as the daily chart (no
// script under the CSP, works offline, nothing to bundle). Horizontal bars, one row per status, ordered by
// status so the classes stay together: the status is written left of its bar and the count right of it, so
// nothing depends on colour (which only repeats the class: 2xx green, 3xx blue, 4xx amber, 5xx red).
import { textWidth } from './chart-scale.ts';
import { formatCount } from './format.ts';

const W = 420;
const ROW = 30;
const BAR = 18;
const TOP = 6;
const BAR_X = 50;

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const CLASSES: { digit: number; name: string }[] = [
  { digit: 2, name: '2xx success' },
  { digit: 3, name: '3xx redirect' },
  { digit: 4, name: '4xx client error' },
  { digit: 5, name: '5xx server error' },
];

const statusClass = (status: number) => Math.floor(status / 100);
const barClass = (status: number) => (statusClass(status) >= 2 && statusClass(status) <= 5 ? `bar-${statusClass(status)}` : 'bar-x');

export function ResponseCodeChart({ codes }: { codes: { status: number; count: number }[] }) {
  const rows = [...codes].sort((a, b) => a.status - b.status);
  const described = rows.map((r) => `${r.status}: ${formatCount(r.count)}`).join(', ');
  if (rows.length === 0) {
    return (
      <svg data-chart="response-codes" viewBox={`0 0 ${W} 50`} role="img" aria-label="Responses by status code: none counted yet">
        <text class="empty" x={W / 2} y={30} text-anchor="middle">No responses counted yet</text>
      </svg>
    );
  }
  const max = Math.max(1, ...rows.map((r) => r.count));
  // Room on the right for the longest count, so the longest bar's label never leaves the picture.
  const room = Math.max(...rows.map((r) => textWidth(formatCount(r.count), 16))) + 8;
  // A count of 1 among millions still gets a visible sliver: the bar says "some", its label says how many.
  const width = (count: number) => (count === 0 ? 0 : Math.max(2, Math.round((((W - BAR_X - room) * count) / max) * 10) / 10));
  const present = CLASSES.filter((c) => rows.some((r) => statusClass(r.status) === c.digit));
  const legendY = TOP + rows.length * ROW + 14;
  const height = legendY + Math.ceil(present.length / 2) * 20;

  return (
    <svg data-chart="response-codes" viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby="codes-title">
      <title id="codes-title">{`Responses by status code: ${described}`}</title>
      <line class="axis" x1={BAR_X} x2={BAR_X} y1={TOP - 2} y2={TOP + rows.length * ROW - 6} />
      {rows.map((row, i) => {
        const y = TOP + i * ROW;
        const reason = REASONS[row.status];
        return (
          <g>
            <text class="status" x={BAR_X - 8} y={y + BAR / 2 + 5} text-anchor="end">{String(row.status)}</text>
            <rect data-bar="" data-status={String(row.status)} data-value={String(row.count)} class={barClass(row.status)}
              x={BAR_X} y={y} width={width(row.count)} height={BAR} rx={2}>
              <title>{`${row.status}${reason ? ` ${reason}` : ''}: ${formatCount(row.count)} responses`}</title>
            </rect>
            <text class="count" x={BAR_X + width(row.count) + 6} y={y + BAR / 2 + 5}>{formatCount(row.count)}</text>
          </g>
        );
      })}
      {present.map((c, i) => {
        const x = 8 + (i % 2) * (W / 2);
        const y = legendY + Math.floor(i / 2) * 20;
        return (
          <g>
            <rect class={`bar-${c.digit}`} x={x} y={y} width={12} height={12} rx={2} />
            <text class="axis-label" x={x + 18} y={y + 10}>{c.name}</text>
          </g>
        );
      })}
    </svg>
  );
}
