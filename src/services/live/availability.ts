// A lot's availability as the live stream tells it, and the rule for its state.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Deps } from '../../deps.ts';
import type { AvailabilityEvent, LotState } from '../../schemas/live.ts';
import { enqueueAfterResponse } from '../webhooks/outbox.ts';

/** What a change left of a lot: enough for an event. `deleted` ends the streams. */
export type LotChange = {
  lot_id: number;
  version: number;
  available_spots: number;
  capacity: number;
  deleted?: boolean;
  /** Some enabled webhook may want events of this lot: only then has the change's outbox rows to enqueue. */
  webhooks?: boolean;
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

/**
 * The lot `lot` (an SQL expression of its id) as the database has it: to run after a change in the same
 * transaction (it sees that change, and the lot row's lock, taken by the version's trigger, keeps later changes
 * out until the commit), or on its own.
 */
export function availabilitySql(lot: SQL): SQL {
  return sql`
    SELECT l.id AS lot_id, l.capacity, l.availability_version::int AS version,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'available') AS available_spots,
           EXISTS (SELECT 1 FROM webhooks w WHERE w.disabled_at IS NULL AND (w.lot_ids IS NULL OR l.id = ANY (w.lot_ids))) AS webhooks
    FROM parking_lots l WHERE l.id = ${lot}`;
}

/** The lot as Postgres has it now (one indexed query), or null when it is gone. */
export async function readAvailability(db: Database, lotId: number): Promise<LotChange | null> {
  const { rows } = await db.execute<LotChange>(availabilitySql(sql`${lotId}`));
  if (!rows[0]) return null;
  const { webhooks: _, ...change } = rows[0];
  return change;
}

/**
 * Tells the lot's live object of a committed change, after the response (see objects/lot-live.ts), and hands
 * the webhook events the change wrote (its outbox rows) to the queue when some webhook may want them.
 */
export function notifyLive(deps: Deps, change: LotChange | undefined): void {
  if (!change) return;
  const { webhooks, ...event } = change;
  // Read in the change's own batch, so a Worker with no webhook for this lot spends no round trip on them.
  // (A deletion is not read back: it always looks.)
  if (webhooks || change.deleted) enqueueAfterResponse(deps);
  deps.request.defer(() => deps.live.getByName(String(event.lot_id)).notify(event));
}
