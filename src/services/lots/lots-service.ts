// The rules about parking lots: spots 1..capacity made with the lot, capacity changes that never remove a
// spot in use, deletion only of an idle lot, and exact live availability on every read.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters, keys, liveBucketOf, ttl } from '../../redis/keys.ts';
import { afterWrite, cached, invalidateNow, writing } from '../cache.ts';
import { lockLot } from './lot-lock.ts';
import { deleteLotSql, insertLotSql, updateLotSql } from './lot-statements.ts';
import { availabilitySql, notifyLive, type LotChange } from '../live/availability.ts';
import { enqueueAfterResponse } from '../webhooks/outbox.ts';
import { redisPosition } from './geo-point.ts';
import { placeLot, whileMoving } from './geo-positions.ts';

export { MAX_PRICE_PER_HOUR_CENTS } from '../../db/schema.ts';
import { selectLots } from './lot-view.ts';
import { DEFAULT_PAGE, type Page, type PageRequest } from '../../schemas/pagination.ts';
import { decodeCursor, isFirstPage, toPage } from '../pagination.ts';
import type { Lot, Spot } from '../../schemas/lots.ts';

export interface NewLot {
  name: string;
  address: string;
  pin_code: string;
  price_per_hour_cents: number;
  capacity: number;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
}

export type LotPatch = Partial<NewLot>;

const lotNotFound = (id: number) => new AppError('not_found', `There is no parking lot ${id}.`);

/** The cache entries a change to lot `id` (or to its spots' states) makes stale: its own, the list's, its live entry's (geo search). */
export function lotKeys(id: number): string[] {
  return [keys.lot(id), ...lotListKeys(id)];
}

/** The entries of lot `id` in lists: the cached first page and its live entry of the geo search. */
function lotListKeys(id: number): string[] {
  return [keys.lotsAll, keys.lotsLive(liveBucketOf(id))];
}

/**
 * After a committed change of a lot whose new state is known: its own entry is stored anew (write-through, so a
 * busy lot stays cached), ordered by its availability version and updated_at (a slower write of an older state
 * never lands over a newer one); its entries in lists are cleared.
 */
export function settleLot(deps: Deps, lot: Lot, change: LotChange): Promise<void> {
  const source = [change.version, Date.parse(lot.updated_at)] as const;
  return afterWrite(deps, { clear: lotListKeys(lot.id), refresh: [{ key: keys.lot(lot.id), value: lot, ttlSeconds: ttl.lot, source }] });
}

/** A page of lots in id order; the first page at the default size is the cached `parking_lots:all`. */
export function listLots(deps: Deps, request: PageRequest): Promise<Page<Lot>> {
  const after = decodeCursor('lots', request.cursor, ['number'])?.[0] ?? 0;
  const load = async () => {
    const { rows } = await deps.db.execute<Lot>(selectLots(sql`l.id > ${after}`, request.limit + 1));
    return toPage('lots', rows, request, (lot) => [lot.id]);
  };
  return isFirstPage(request, DEFAULT_PAGE) ? cached(deps, keys.lotsAll, ttl.lotsAll, load) : load();
}

export async function getLot(deps: Deps, id: number): Promise<Lot> {
  const lot = await cached(deps, keys.lot(id), ttl.lot, async () => (await deps.db.execute<Lot>(selectLots(sql`l.id = ${id}`))).rows[0] ?? null);
  if (!lot) throw lotNotFound(id);
  return lot;
}

/** Creates the lot and its spots 1..capacity in one statement; with a position, it is in the geo search at once. */
export async function createLot(deps: Deps, input: NewLot): Promise<Lot> {
  const insert = async () => (await writing(deps, [keys.lotsAll], () => deps.db.execute<Lot>(insertLotSql(input)))).rows[0]!;
  const settle = () => invalidateNow(deps, [keys.lotsAll]);
  const { latitude, longitude } = input;
  const placed = latitude != null && longitude != null && redisPosition({ lat: latitude, lng: longitude }) !== null;
  const lot = placed ? await whileMoving(deps, null, insert, (inserted) => placeLot(inserted, true), settle) : await insert();
  if (!placed) await settle();
  deps.request.count(counters.parkingLotsCreated);
  return lot;
}

/**
 * Changes any field. A larger capacity adds spots; a smaller one removes the spots numbered above it, which
 * must all be free (else 409 spots_in_use), so spot numbers stay 1..capacity. One round trip: the lot lock
 * (./lot-lock.ts), the change, and the lot as it is then.
 */
export async function updateLot(deps: Deps, id: number, patch: LotPatch): Promise<Lot> {
  const update = () =>
    writing(deps, lotKeys(id), async () => {
      const [, result, after, availability] = await deps.db.batch([
        deps.db.execute(lockLot(id, 'UPDATE')),
        deps.db.execute<{ found: boolean; blocked: number; updated: boolean }>(updateLotSql(id, patch)),
        deps.db.execute<Lot>(selectLots(sql`l.id = ${id}`)),
        deps.db.execute<LotChange>(availabilitySql(sql`${id}`)),
      ]);
      const outcome = result.rows[0]!;
      if (!outcome.found) throw lotNotFound(id);
      if (!outcome.updated) {
        throw new AppError('spots_in_use', `${outcome.blocked} of the spots above the new capacity are reserved or occupied.`, { spots_in_use: outcome.blocked });
      }
      return { lot: after.rows[0]!, change: availability.rows[0]! };
    });
  const settle = ({ lot, change }: { lot: Lot; change: LotChange }) => settleLot(deps, lot, change);
  const moves = patch.latitude !== undefined || patch.longitude !== undefined;
  const done = moves ? await whileMoving(deps, id, update, (updated) => placeLot(updated.lot), settle) : await update();
  if (!moves) await settle(done);
  const { lot, change } = done;
  // A new capacity changed the free spots (and raised the version); any other change is dropped by the object.
  if (patch.capacity !== undefined) notifyLive(deps, change);
  else if (change.webhooks) enqueueAfterResponse(deps); // lot.updated, written by its trigger
  return lot;
}

/** Deletes a lot whose spots are all free; its reservation history stays (lot_id becomes null). */
export async function deleteLot(deps: Deps, id: number): Promise<void> {
  const remove = () =>
    writing(deps, lotKeys(id), async () => {
      const [, result] = await deps.db.batch([deps.db.execute(lockLot(id, 'UPDATE')), deps.db.execute<{ found: boolean; busy: number; deleted: boolean }>(deleteLotSql(id))]);
      const outcome = result.rows[0]!;
      if (!outcome.found) throw lotNotFound(id);
      if (!outcome.deleted) {
        throw new AppError('spots_in_use', `${outcome.busy} spots of this lot are reserved or occupied.`, { spots_in_use: outcome.busy });
      }
    });
  const settle = () => afterWrite(deps, { clear: lotListKeys(id), refresh: [{ key: keys.lot(id), value: null, ttlSeconds: ttl.lot, source: null }] });
  // Whether the lot had a position is known only once it is gone: every deletion is a position write.
  await whileMoving(deps, id, remove, () => ({ op: 'remove', id }), settle);
  notifyLive(deps, { lot_id: id, version: 0, available_spots: 0, capacity: 0, deleted: true }); // ends its streams
  deps.request.count(counters.parkingLotsDeleted);
}

/** A page of a lot's spots by number, with who holds each (admin view, always live). */
export async function listSpots(deps: Deps, id: number, request: PageRequest): Promise<Page<Spot>> {
  const after = decodeCursor('spots', request.cursor, ['number'])?.[0] ?? 0;
  const result = await deps.db.execute<Spot & { lot_found: boolean }>(sql`
    SELECT * FROM (
      SELECT s.number, s.status, r.id AS reservation_id, w.id AS waitlist_id, coalesce(r.user_id, w.user_id) AS user_id,
             coalesce(r.vehicle_plate, w.vehicle_plate) AS vehicle_plate, true AS lot_found
      FROM spots s
      LEFT JOIN reservations r ON r.spot_id = s.id AND r.status IN ('reserved', 'parked')
      LEFT JOIN waitlist_entries w ON w.spot_id = s.id AND w.status = 'offered'
      WHERE s.lot_id = ${id} AND s.number > ${after}
      ORDER BY s.number LIMIT ${request.limit + 1}
    ) page
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, false WHERE NOT EXISTS (SELECT 1 FROM parking_lots WHERE id = ${id})`);
  if (result.rows.some((row) => !row.lot_found)) throw lotNotFound(id);
  const spots = result.rows.map(({ lot_found: _, ...spot }) => spot);
  return toPage('spots', spots, request, (spot) => [spot.number]);
}
