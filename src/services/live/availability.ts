// A lot's availability as the live stream tells it, and the rule for its state.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Deps } from '../../deps.ts';
import type { AvailabilityEvent, LotState } from '../../schemas/live.ts';
import { enqueueAfterResponse } from '../webhooks/outbox.ts';

/** An offer of a held spot to a waitlist entry, made by the change of the version it came with. */
export type Offer = { waitlist_id: number; spot_number: number; expires_at: string };

/**
 * What a change left of a lot: enough for an event. `deleted` ends the streams. `offers`: those the change made
 * (told as `waitlist.offered`); `hold_until_ms`: when the lot's next running offer ends (the object's alarm).
 */
export type LotChange = {
  lot_id: number;
  version: number;
  available_spots: number;
  capacity: number;
  deleted?: boolean;
  offers?: Offer[];
  hold_until_ms?: number | null;
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
           EXISTS (SELECT 1 FROM webhooks w WHERE w.disabled_at IS NULL AND (w.lot_ids IS NULL OR l.id = ANY (w.lot_ids))) AS webhooks,
           (SELECT coalesce(json_agg(json_build_object('waitlist_id', e.id, 'spot_number', e.spot_number, 'expires_at', api_time(e.offer_expires_at)) ORDER BY e.id), '[]')
            FROM waitlist_entries e WHERE e.lot_id = l.id AND e.status = 'offered' AND e.offer_version = l.availability_version) AS offers,
           (SELECT extract(epoch FROM min(e.offer_expires_at)) * 1000 FROM waitlist_entries e WHERE e.lot_id = l.id AND e.status = 'offered')::float8 AS hold_until_ms
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
