// Postgres housekeeping: idempotency keys are honoured for 24 hours (SPEC), and ended sessions are kept a week
// after they expired or were revoked (enough to look into a recent sign-out), then deleted; occupancy hours go
// after 8 weeks (prune-occupancy.ts). The database's clock
// decides, not the trigger's scheduled time, so that a delayed or replayed run never deletes more than it should.
//
// In batches: one statement deleting a backlog of a million rows would hold its locks for as long as it runs and
// could outlast the database timeout, failing whole. Each statement deletes at most BATCH rows of each table
// (the oldest keys first, by their index), skipping rows another transaction holds; a run repeats it while a
// batch comes back full and its budget allows, and the next run deletes the rest.
import { sql } from 'drizzle-orm';
import type { JobRun, Outcome } from './run.ts';
import { oldOccupancyHours } from './prune-occupancy.ts';

/** Rows per table per statement: a fraction of a second of work even on a small Neon compute. */
export const BATCH = 5000;
/** A batch is one statement. */
export const BATCH_COST = 1;

/** One batch: a statement deleting at most BATCH rows of each table. */
export const batchStatement = () => sql`
    WITH old_keys AS (
      DELETE FROM idempotency_keys WHERE (user_id, key) IN (
        SELECT user_id, key FROM idempotency_keys WHERE created_at < now() - interval '24 hours'
        ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING 1
    ), old_sessions AS (
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'
        LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING 1
    ), ${oldOccupancyHours(BATCH)}
    SELECT (SELECT count(*) FROM old_keys)::int AS idempotency_keys, (SELECT count(*) FROM old_sessions)::int AS sessions,
           (SELECT count(*) FROM old_hours)::int AS occupancy_hours`;

async function deleteBatch(run: JobRun): Promise<{ keys: number; sessions: number; hours: number }> {
  const result = await run.deps.db.execute<{ idempotency_keys: number; sessions: number; occupancy_hours: number }>(batchStatement());
  const row = result.rows[0];
  return { keys: Number(row?.idempotency_keys ?? 0), sessions: Number(row?.sessions ?? 0), hours: Number(row?.occupancy_hours ?? 0) };
}

export async function deleteExpiredRecords(run: JobRun): Promise<Outcome> {
  const deleted = { idempotencyKeysDeleted: 0, sessionsDeleted: 0, occupancyHoursDeleted: 0, batches: 0 };
  let full = true;
  while (full && run.budget.allows(BATCH_COST)) {
    const batch = await deleteBatch(run);
    deleted.idempotencyKeysDeleted += batch.keys;
    deleted.sessionsDeleted += batch.sessions;
    deleted.occupancyHoursDeleted += batch.hours;
    deleted.batches += 1;
    full = batch.keys === BATCH || batch.sessions === BATCH || batch.hours === BATCH;
  }
  return { ...deleted, more: full };
}
