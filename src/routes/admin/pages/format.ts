// How the dashboard writes numbers, sizes, durations and dates. Hand-rolled rather than Intl so the page reads
// the same in every runtime (workerd, Node, any locale setting): English, `,` thousands, binary units, UTC.

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  const [whole = '0', fraction] = String(Math.round(n * 100) / 100).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** Short numbers for axis ticks and chart labels: `950`, `1.2k`, `34k`, `1.5M`, `2B`. */
export function formatCompact(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) {
      const scaled = n / size;
      // One decimal while it says something (1.5k), none once the number is long enough (15k, 150k).
      const text = Math.abs(scaled) >= 10 ? String(Math.round(scaled)) : String(Math.round(scaled * 10) / 10);
      return `${text}${suffix}`;
    }
  }
  return formatCount(n);
}

/** `1363148` → `1.3 MiB`; bytes below 1 KiB as they are. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (Math.abs(bytes) < 1024) return `${formatCount(bytes)} B`;
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (Math.abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${unit}`;
}

/** The two largest units of a duration: `598` → `9m 58s`, `90061` → `1d 1h`, `0` → `0s`. */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.round(totalSeconds));
  const parts: string[] = [];
  for (const [size, unit] of [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ] as const) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(`${amount}${unit}`);
  }
  // Leading zero units are never written; `1h 0m` stays because it says the duration is exact to the minute.
  return parts.length === 0 ? '0s' : parts.slice(0, 2).join(' ');
}

/** `0.8571` → `85.7%`. */
export function formatPercent(rate: number): string {
  const percent = Math.round(rate * 1000) / 10;
  return `${percent}%`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2025-03-07` → `Mar 7` (the chart's axis); anything else as it came. */
export function formatDay(day: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  const month = match ? MONTHS[Number(match[1]) - 1] : undefined;
  return match && month ? `${month} ${Number(match[2])}` : day;
}

/** `2025-03-07T12:34:56.789Z` → `2025-03-07 12:34:56 UTC`; anything unparsable as it came. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
