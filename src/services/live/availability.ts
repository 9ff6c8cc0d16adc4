// A lot's availability as the live stream tells it, and the rule for its state.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { AvailabilityEvent, LotState } from '../../schemas/live.ts';

/** What a change left of a lot: enough for an event. `deleted` ends the streams. */
export type LotChange = {
  lot_id: number;
  version: number;
  available_spots: number;
  capacity: number;
  deleted?: boolean;
};

/** `full` with none free; `almost_full` with at most max(2, a tenth of the capacity) free; else `available`. */
export function stateOf(available: number, capacity: number): LotState {
  if (available <= 0) return 'full';
  return available <= Math.max(2, Math.floor(capacity / 10)) ? 'almost_full' : 'available';
}

export function eventOf(change: LotChange, at: Date): AvailabilityEvent {
  return {
    lot_id: change.lot_id,
    available_spots: change.available_spots,
    capacity: change.capacity,
    state: stateOf(change.available_spots, change.capacity),
    version: change.version,
    at: at.toISOString(),
  };
}

/** The lot as Postgres has it now (one indexed query), or null when it is gone. */
export async function readAvailability(db: Database, lotId: number): Promise<LotChange | null> {
  const { rows } = await db.execute<LotChange>(sql`
    SELECT l.id AS lot_id, l.capacity, l.availability_version::int AS version,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'available') AS available_spots
    FROM parking_lots l WHERE l.id = ${lotId}`);
  return rows[0] ?? null;
}
