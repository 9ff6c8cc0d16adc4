// What the daily job and the cache reconciliation keep: the compacted daily metrics, the cache entries a write
// could not clear, and the job's state from run to run. Part of the schema (schema.ts re-exports it).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { moment } from './columns.ts';

export const dailyMetrics = pgTable(
  'daily_metrics',
  {
    day: date('day', { mode: 'string' }).notNull(),
    metric: text('metric').notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
    updatedAt: moment('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.day, t.metric] }), check('daily_metrics_value_not_negative', sql`${t.value} >= 0`)],
);

/**
 * Cache entries that a write could not clear because Redis was unreachable; cleared once it is back. One row
 * per key (a write of a key already pending renews its id, see redis/reconcile.ts), so an outage of any length
 * leaves at most one row per cache key.
 */
export const pendingInvalidations = pgTable(
  'pending_invalidations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    createdAt: moment('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pending_invalidations_key_unique').on(t.key)],
);

/**
 * What the daily job carries from one run to the next (src/jobs/job-state.ts), one row per Redis database it
 * works on: a watermark and two cursors describe that database's keyspace and mean nothing on another.
 */
export const dailyJobState = pgTable('daily_job_state', {
  /** The Redis database, by the host of its REST URL. */
  redis: text('redis').primaryKey(),
  /** The oldest day that may still hold an uncompacted `daily_*` counter of a known metric; null before the first run. */
  dailyFrom: date('daily_from', { mode: 'string' }),
  /** Where the sweep for stray `daily_*` keys goes on (a SCAN cursor; '0': a new pass). */
  sweepCursor: text('sweep_cursor').notNull().default('0'),
  /** Where the pruning of `active_users` goes on (an SSCAN cursor; '0': a new pass). */
  activeUsersCursor: text('active_users_cursor').notNull().default('0'),
  updatedAt: moment('updated_at').notNull().defaultNow(),
});
