// What each step of the daily job works with: the job's clients (Postgres queries counted, see budget.ts), the
// run's day, what the step may still spend, and the state carried from run to run, which the step updates as it
// goes (it is written once, when the run ends, with whatever progress the steps made).
import type { Deps } from '../deps.ts';
import type { StepBudget } from './budget.ts';
import type { JobState } from './job-state.ts';

export interface JobRun {
  deps: Deps;
  now: Date;
  /** The UTC day of the scheduled time: every day before it is past. */
  today: string;
  budget: StepBudget;
  state: JobState;
}

/** What a step logs; `more: true` when the budget stopped it before the end and the next run goes on. */
export type Outcome = Record<string, unknown> & { more?: boolean };

const DAY_MS = 86_400_000;

/** The calendar day `n` days after `day` (before, for a negative n). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `first` to `last`, both included; none when `first` is later. */
export function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}
