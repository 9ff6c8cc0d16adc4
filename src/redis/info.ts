// Reading Redis's INFO answer: `field:value` lines under `# Section` headings.

export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

export function infoNumber(fields: Map<string, string>, name: string): number | null {
  const value = fields.get(name);
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** `db0:keys=12,expires=3,avg_ttl=0` → { db0: 12 }. */
export function keysPerDb(fields: Map<string, string>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, value] of fields) {
    const match = /^db\d+$/.test(name) ? /(?:^|,)keys=(\d+)/.exec(value) : null;
    if (match) result[name] = Number(match[1]);
  }
  return result;
}
