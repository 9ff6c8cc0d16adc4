// The daily counters the listing (compact-listed-days.ts) cannot name: a metric no longer in keys.ts, a day
// older than the watermark (keys left from before the watermark existed, or counted in later than any run could
// expect). The contract moves every `daily_*` key of a past day, so a sweep walks the whole keyspace for them —
// slowly: a fixed number of SCAN pages per run, the cursor carried from run to run, so that a run costs the same
// on any keyspace, and a pass over 100 000 keys takes five runs. (A SCAN cursor is only a position in the hash
// table: it stays valid from one day to the next, and a key present for the whole pass is met at least once.)
// MATCH filters in Redis, so a page answers with the few daily keys it met, not with the thousands it walked.
import { dailyKeyPattern } from '../redis/keys.ts';
import { isCalendarDay, MOVE_COST, moveDailyCounters } from './compact-daily-metrics.ts';
import type { JobRun, Outcome } from './run.ts';

/** Keys walked per SCAN page (a hint): about a millisecond of Redis time. */
export const SWEEP_COUNT = 2000;
/** Pages per run. */
export const SWEEP_PAGES_PER_RUN = 10;
const MATCH = 'daily_*';

/** A page's SCAN, then the move of what it found. */
export const SWEEP_PAGE_COST = 1 + MOVE_COST;

export async function sweepStrayDailyKeys(run: JobRun): Promise<Outcome> {
  let pages = 0;
  let passComplete = false;
  const found = { keys: 0, rowsWritten: 0, released: 0, unmovable: [] as string[] };
  while (!passComplete && pages < SWEEP_PAGES_PER_RUN && run.budget.allows(SWEEP_PAGE_COST)) {
    const cursor = run.state.sweepCursor;
    const [next, batch] = await run.deps.redis.gateway.call<[string | number, string[]]>((p) => p.scan(cursor, { match: MATCH, count: SWEEP_COUNT }));
    pages += 1;
    const past = new Set<string>();
    for (const key of batch) {
      const day = dailyKeyPattern.exec(key)?.[2];
      if (day === undefined || day >= run.today) continue;
      if (isCalendarDay(day)) past.add(key);
      else found.unmovable.push(key);
    }
    if (past.size > 0) {
      const moved = await moveDailyCounters(run.deps, [...past]);
      found.keys += moved.counters.length;
      found.rowsWritten += moved.written;
      found.released += moved.released;
      found.unmovable.push(...moved.skipped);
    }
    run.state.sweepCursor = String(next);
    passComplete = run.state.sweepCursor === '0';
  }
  return {
    pages,
    ...found,
    unmovable: found.unmovable.length,
    unmovableKeys: found.unmovable.slice(0, 20),
    passComplete,
  };
}
