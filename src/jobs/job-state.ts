// What the daily job carries from one run to the next, so that a run the budget cut short is continued by the
// next one (table daily_job_state, one row per Redis database: a watermark and cursors mean nothing on another).
// Read once at the start of a run, written once at its end. Every value is safe to go back to: two runs at
// once (a manual run beside the scheduled one) each write what they know, and whichever writes last only makes
// the next run read or scan again what was already done, which changes nothing.
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

export interface JobState {
  /** The oldest day that may still hold an uncompacted counter of a known metric; null before the first run. */
  dailyFrom: string | null;
  /** The SCAN cursor of the sweep for stray daily keys ('0': the next page starts a new pass). */
  sweepCursor: string;
  /** The SSCAN cursor of the pruning of active_users ('0': the next page starts a new pass). */
  activeUsersCursor: string;
}

/** Before the first run: no watermark, every pass to begin. */
export function freshJobState(): JobState {
  return { dailyFrom: null, sweepCursor: '0', activeUsersCursor: '0' };
}

/** The Redis database the state belongs to: the host of its REST URL (the URL itself is a secret's value). */
export function redisIdentity(redisUrl: string): string {
  return new URL(redisUrl).host;
}

export async function loadJobState(deps: Deps, redis: string): Promise<JobState> {
  const { rows } = await deps.db.execute<{ daily_from: string | null; sweep_cursor: string; active_users_cursor: string }>(sql`
    SELECT daily_from::text AS daily_from, sweep_cursor, active_users_cursor FROM daily_job_state WHERE redis = ${redis}`);
  const row = rows[0];
  if (!row) return freshJobState();
  return {
    dailyFrom: row.daily_from,
    sweepCursor: row.sweep_cursor,
    activeUsersCursor: row.active_users_cursor,
  };
}

export async function saveJobState(deps: Deps, redis: string, state: JobState): Promise<void> {
  await deps.db.execute(sql`
    INSERT INTO daily_job_state (redis, daily_from, sweep_cursor, active_users_cursor)
    VALUES (${redis}, ${state.dailyFrom}, ${state.sweepCursor}, ${state.activeUsersCursor})
    ON CONFLICT (redis) DO UPDATE SET daily_from = EXCLUDED.daily_from, sweep_cursor = EXCLUDED.sweep_cursor,
      active_users_cursor = EXCLUDED.active_users_cursor, updated_at = now()`);
}
