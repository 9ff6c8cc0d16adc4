// The occupancy history is kept 8 weeks (what the forecast reads, and the longest the endpoint answers), so its
// rows stay bounded: at most lots × 24 × 58 (the cutoff moves once a day, and a day more is kept so that the
// oldest hour a forecast reads always has its rows). Each lot keeps its newest row before the cutoff besides:
// the hours after it that had no change of their own carry on from its state.
//
// Part of housekeeping's batch statement (housekeeping.ts), so it costs the daily job no subrequest of its own:
// the oldest hours first by their index (lot_occupancy_hours_hour_idx), at most BATCH rows a statement, skipping
// rows a writer holds. The database's clock decides the cutoff, to the hour.
import { sql, type SQL } from 'drizzle-orm';
import { OCCUPANCY_KEPT_DAYS } from '../schemas/occupancy.ts';

/** Days of hours kept whole: those the forecast and the endpoint read, and one more. */
export const PRUNE_AFTER_DAYS = OCCUPANCY_KEPT_DAYS + 1;

const cutoff = sql`(date_trunc('hour', now(), 'UTC') - ${`${PRUNE_AFTER_DAYS} days`}::interval)`;

/** A CTE `old_hours` deleting one batch: rows before the cutoff that a later row before the cutoff supersedes. */
export const oldOccupancyHours = (batch: number): SQL => sql`
    old_hours AS (
      DELETE FROM lot_occupancy_hours d USING (
        SELECT h.lot_id, h.hour FROM lot_occupancy_hours h
        WHERE h.hour < ${cutoff}
          AND EXISTS (SELECT 1 FROM lot_occupancy_hours n WHERE n.lot_id = h.lot_id AND n.hour > h.hour AND n.hour < ${cutoff})
        ORDER BY h.hour LIMIT ${batch} FOR UPDATE SKIP LOCKED
      ) doomed
      WHERE d.lot_id = doomed.lot_id AND d.hour = doomed.hour
      RETURNING 1
    )`;
