// Arithmetic for the server-drawn charts: round axis steps, and value labels that do not sit on each other.

/**
 * Gridline values from 0 to at least `max`, about `count` steps of 1, 2 or 5 × 10^n (never below 1: the
 * charts count things). An all-zero series still gets an axis from 0 to 1.
 */
export function niceTicks(max: number, count = 4): number[] {
  const target = Math.max(max, 1);
  const raw = target / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
  const top = Math.ceil(target / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

/** Width of a label in the charts' 11–13px sans-serif, generously: digits and commas, mostly. */
export const textWidth = (text: string, fontSize = 11.5) => text.length * fontSize * 0.62 + 4;

export interface Label {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
  className: string;
}

function box(label: Label, size: number): [number, number, number, number] {
  const width = textWidth(label.text, size);
  const left = label.anchor === 'start' ? label.x : label.anchor === 'end' ? label.x - width : label.x - width / 2;
  return [left, label.y - size, left + width, label.y + 2];
}

/**
 * Moves labels that would overlap one already placed: up a line at a time, and below the point when there is
 * no room left above `top`. Labels are placed highest first, so the peak keeps its place. `size` is the
 * largest font size (in the chart's units) the stylesheet may give them.
 */
export function placeLabels(labels: Label[], top: number, bottom: number, size: number): Label[] {
  const LINE = size + 3;
  const overlaps = (a: Label, b: Label) => {
    const [al, at, ar, ab] = box(a, size);
    const [bl, bt, br, bb] = box(b, size);
    return al < br && bl < ar && at < bb && bt < ab;
  };
  const placed: Label[] = [];
  for (const label of [...labels].sort((a, b) => a.y - b.y)) {
    let candidate = { ...label };
    while (placed.some((other) => overlaps(candidate, other)) && candidate.y - LINE >= top) candidate = { ...candidate, y: candidate.y - LINE };
    if (placed.some((other) => overlaps(candidate, other))) {
      candidate = { ...label, y: label.y + LINE + 8 };
      while (placed.some((other) => overlaps(candidate, other)) && candidate.y + LINE <= bottom) candidate = { ...candidate, y: candidate.y + LINE };
    }
    placed.push(candidate);
  }
  return placed;
}
