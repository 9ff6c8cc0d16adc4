// A lot's occupancy hour by hour (migration 0013): kept by statement triggers on `spots` in the statement that
// changes them, like the report aggregates. Part of the schema (schema.ts re-exports it); the triggers, their
// function and the backfill are SQL in the migration. How the rows are read: services/lots/occupancy-sql.ts.
import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { parkingLots } from './schema.ts';

/**
 * One row per lot and UTC hour in which its spots changed. "Occupied" is every spot that is not free (reserved
 * or parked), so free = capacity - occupied. An hour with no row had no change: the lot stayed as the last row
 * before it left it (`last_occupied`, `capacity`), so a quiet lot costs no rows. Rows older than the retention
 * are pruned by the daily job (jobs/prune-occupancy.ts), all but each lot's newest one before the cutoff, which
 * the hours after it carry on from. At most lots × 24 × (56 + 2) rows: 7 million for 5 000 lots.
 */
export const lotOccupancyHours = pgTable(
  'lot_occupancy_hours',
  {
    lotId: integer('lot_id')
      .notNull()
      .references(() => parkingLots.id, { onDelete: 'cascade' }),
    /** The start of the UTC hour. */
    hour: timestamp('hour', { withTimezone: true, mode: 'date' }).notNull(),
    /** The fewest and the most spots occupied at any moment of the hour (its start included). */
    minOccupied: integer('min_occupied').notNull(),
    maxOccupied: integer('max_occupied').notNull(),
    /** Spot-seconds occupied from the hour's start to `last_change_at`; the rest of the hour held `last_occupied`. */
    occupiedSeconds: doublePrecision('occupied_seconds').notNull(),
    /** Spots occupied after the hour's last change, and the capacity then: the state the hour ended in. */
    lastOccupied: integer('last_occupied').notNull(),
    capacity: integer('capacity').notNull(),
    lastChangeAt: timestamp('last_change_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.lotId, t.hour] }),
    // The daily pruning walks the old hours of every lot by this index, not the whole table.
    index('lot_occupancy_hours_hour_idx').on(t.hour),
    check('lot_occupancy_hours_counts', sql`0 <= ${t.minOccupied} AND ${t.minOccupied} <= ${t.maxOccupied} AND ${t.lastOccupied} BETWEEN ${t.minOccupied} AND ${t.maxOccupied}`),
    check('lot_occupancy_hours_on_the_hour', sql`${t.hour} = date_trunc('hour', ${t.hour}, 'UTC')`),
  ],
);
