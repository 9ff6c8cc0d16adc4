// What the suite asserts and the figures it prints: each check is recorded with its outcome (the run goes on
// after a failed one, so every table still prints), and the run fails when any did.
export interface Check {
  scenario: string;
  what: string;
  ok: boolean;
  evidence?: string;
}

export class Report {
  readonly checks: Check[] = [];
  readonly notRun: { scenario: string; why: string }[] = [];

  check(scenario: string, what: string, ok: boolean, evidence?: string): boolean {
    this.checks.push({ scenario, what, ok, ...(evidence === undefined ? {} : { evidence }) });
    console.log(`${ok ? '  ok  ' : '  FAIL'} [${scenario}] ${what}${!ok && evidence ? `\n         ${evidence}` : ''}`);
    return ok;
  }

  skip(scenario: string, why: string): void {
    this.notRun.push({ scenario, why });
    console.log(`  NOT RUN [${scenario}] ${why}`);
  }

  get failed(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }
}

/** The p-th percentile (0..100) of the values, by nearest rank; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');
export const seconds = (value: number | null) => (value === null ? 'never' : `${(value / 1000).toFixed(1)} s`);
export const p50p99 = (values: number[]) => (values.length ? `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}` : '–');

/** A markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
