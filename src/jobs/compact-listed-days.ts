// The daily counters of past days, found by name rather than searched for: they are `daily_{metric}:{day}` for
// the metrics of keys.ts, so a run reads every metric of every day from a watermark (the oldest day that may still
// hold one, in the job state) up to yesterday with MGET, a month of days per round trip, whatever else the
// keyspace holds. After the usual night that is one day, so one MGET, one upsert and one release; after an
// outage of N days it is about N / 31 times that, and what this run's budget cannot reach the next run reads.
//
// The watermark moves past a day only once every counter read for it was released: a counter that changed
// between the read and the release holds it there, and the day is read again next time. The day before the
// watermark is always read again too: a request that began before midnight can count into it after its day was
// compacted (the marker of compact-daily-metrics.ts then makes that increment add to the day, not replace it).
import { dailyCounters, dailyMetrics } from '../redis/keys.ts';
import { MOVE_COST, moveDailyCounters } from './compact-daily-metrics.ts';
import { addDays, daysFrom, type JobRun, type Outcome } from './run.ts';

/** Days per MGET: 3 metrics × 31 days, each counter with its marker, is 186 keys. */
export const CHUNK_DAYS = 31;
/** Where the first run (no watermark yet) starts: older keys are left to the sweep. */
export const FIRST_RUN_DAYS = 90;
/** Days before the watermark read again, for the increments that come in late. */
export const LATE_DAYS = 1;

function keysOf(days: string[]): string[] {
  return days.flatMap((day) => dailyMetrics.map((metric) => dailyCounters[metric](day)));
}

export async function compactDailyMetrics(run: JobRun): Promise<Outcome> {
  const from = run.state.dailyFrom ?? addDays(run.today, -FIRST_RUN_DAYS);
  run.state.dailyFrom = from; // so that a first run cut short does not slide its start along with the date
  const days = daysFrom(addDays(from, -LATE_DAYS), addDays(run.today, -1));
  const moved = { keys: 0, rowsWritten: 0, released: 0, unmovable: [] as string[] };
  let read = 0;
  let held: string | null = null; // the first day of a chunk where a counter changed meanwhile
  while (read < days.length && run.budget.allows(MOVE_COST)) {
    const chunk = days.slice(read, read + CHUNK_DAYS);
    const result = await moveDailyCounters(run.deps, keysOf(chunk));
    read += chunk.length;
    moved.keys += result.counters.length;
    moved.rowsWritten += result.written;
    moved.released += result.released;
    moved.unmovable.push(...result.skipped);
    if (result.released < result.counters.length && held === null) held = result.counters[0]!.day;
    // kept after each chunk, so that the progress survives a later chunk's failure
    run.state.dailyFrom = held ?? addDays(chunk[chunk.length - 1]!, 1);
  }
  return {
    from: days[0] ?? null,
    through: days[read - 1] ?? null,
    days: read,
    ...moved,
    // a counter incremented between the read and the release stays for the next run, which moves the rest
    changedMeanwhile: moved.keys - moved.released,
    unmovable: moved.unmovable.length,
    unmovableKeys: moved.unmovable.slice(0, 20), // left in Redis for someone to look at; a few names suffice
    watermark: run.state.dailyFrom,
    daysLeft: days.length - read,
    more: read < days.length,
  };
}
