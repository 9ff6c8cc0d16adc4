// Accepting an offer (the held spot becomes an ordinary reservation) and leaving the queue. Each is one statement
// after the lot's lock (FOR NO KEY UPDATE, ../lots/lot-lock.ts), read back with the lot in the same transaction
// for its cache entry and its live stream. Leaving with a running offer gives the held spot back, and the
// migration's trigger hands it to the next in the queue in that same statement.
import { sql, type SQL } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters, dayOf } from '../../redis/keys.ts';
import type { Lot } from '../../schemas/lots.ts';
import type { Reservation } from '../../schemas/reservations.ts';
import type { User } from '../../schemas/users.ts';
import { writing } from '../cache.ts';
import { availabilitySql, notifyLive, type LotChange } from '../live/availability.ts';
import { lockLot } from '../lots/lot-lock.ts';
import { selectLots } from '../lots/lot-view.ts';
import { lotKeys, settleLot } from '../lots/lots-service.ts';

type Owner = { lot_id: number; user_id: number };

/** Whose entry it is (both never change): 404 when there is none; the statements re-check everything else. */
async function ownerOf(deps: Deps, id: number): Promise<Owner> {
  const { rows } = await deps.db.execute<Owner>(sql`SELECT lot_id, user_id FROM waitlist_entries WHERE id = ${id}`);
  if (!rows[0]) throw new AppError('not_found', `There is no waitlist entry ${id}.`);
  return rows[0];
}

/** Runs `statement` after the lot's lock and reads the lot after it, in one transaction; settles the lot when asked. */
async function underLotLock<R>(deps: Deps, lotId: number, statement: SQL, changed: (row: R) => boolean): Promise<{ row: R; change: LotChange | undefined }> {
  const [, result, lot, availability] = await writing(deps, lotKeys(lotId), () =>
    deps.db.batch([
      deps.db.execute(lockLot(lotId, 'NO KEY UPDATE')),
      deps.db.execute<R & Record<string, unknown>>(statement),
      deps.db.execute<Lot>(selectLots(sql`l.id = ${lotId}`)),
      deps.db.execute<LotChange>(availabilitySql(sql`${lotId}`)),
    ]),
  );
  const row = result.rows[0] as R;
  const change = availability.rows[0];
  if (changed(row) && lot.rows[0] && change) {
    await settleLot(deps, lot.rows[0], change);
    notifyLive(deps, change);
  }
  return { row, change };
}

type AcceptRow = { status: string; expired: boolean; reservation: Reservation | null };

/** The driver takes the spot held for them: 201 with the reservation, as a booking answers. */
export async function acceptOffer(deps: Deps, actor: User, id: number): Promise<Reservation> {
  const owner = await ownerOf(deps, id);
  if (owner.user_id !== actor.id) throw new AppError('forbidden', 'Only the driver of this entry may accept its offer.');
  let row: AcceptRow;
  let change: LotChange | undefined;
  try {
    ({ row, change } = await underLotLock<AcceptRow>(
      deps,
      owner.lot_id,
      sql`
        WITH entry AS (
          SELECT e.*, l.price_per_hour_cents, e.offer_expires_at <= now() AS expired
          FROM waitlist_entries e JOIN parking_lots l ON l.id = e.lot_id WHERE e.id = ${id}
        ), open AS (
          SELECT * FROM entry WHERE status = 'offered' AND NOT expired
        ), taken AS (
          UPDATE spots s SET status = 'reserved' FROM open WHERE s.id = open.spot_id AND s.status = 'held' RETURNING s.id, s.number
        ), booked AS (
          INSERT INTO reservations (user_id, lot_id, spot_id, spot_number, vehicle_plate, price_per_hour_cents)
          SELECT open.user_id, open.lot_id, taken.id, taken.number, open.vehicle_plate, open.price_per_hour_cents FROM open, taken
          RETURNING *
        ), accepted AS (
          UPDATE waitlist_entries e SET status = 'accepted', reservation_id = booked.id FROM booked WHERE e.id = ${id} RETURNING e.id
        )
        SELECT (SELECT status::text FROM entry) AS status, coalesce((SELECT expired FROM entry), false) AS expired,
               (SELECT api_reservation(ROW(b.*)::reservations) FROM booked b) AS reservation`,
      (r) => r.reservation !== null,
    ));
  } catch (error) {
    // The plate was booked elsewhere since it joined: the offer stays (leave to pass it on, or let it lapse).
    if (constraintOf(error) === 'reservations_one_active_per_plate') throw new AppError('vehicle_already_parked', 'This vehicle already holds an active reservation.');
    throw error;
  }
  if (row.reservation) {
    deps.request.count(counters.totalReservations);
    deps.request.count(counters.dailyReservations(dayOf(new Date())));
    return row.reservation;
  }
  if (row.status === null) throw new AppError('not_found', `There is no waitlist entry ${id}.`); // left meanwhile
  if (row.status === 'lapsed' || (row.status === 'offered' && row.expired)) {
    // Past its end and not lapsed yet: the lot's object is told its state again, so its alarm is surely set.
    if (row.status === 'offered') notifyLive(deps, change);
    throw new AppError('offer_expired', 'The offer was not accepted in time; the spot went to the next in the queue. Join again to wait anew.');
  }
  throw new AppError('invalid_transition', row.status === 'waiting' ? 'No spot has been offered to this entry yet.' : 'This offer was accepted already.', {
    status: row.status,
    required_status: 'offered',
  });
}

type LeaveRow = { deleted: string | null };

/** Leaves the queue (the driver's own entry; an admin's any): 204. A running offer passes to the next. */
export async function leaveWaitlist(deps: Deps, actor: User, id: number): Promise<void> {
  const owner = await ownerOf(deps, id);
  if (owner.user_id !== actor.id && actor.role !== 'admin') throw new AppError('forbidden', 'This waitlist entry belongs to someone else.');
  const { row } = await underLotLock<LeaveRow>(
    deps,
    owner.lot_id,
    sql`WITH gone AS (DELETE FROM waitlist_entries WHERE id = ${id} RETURNING status) SELECT (SELECT status::text FROM gone) AS deleted`,
    (r) => r.deleted === 'offered',
  );
  if (row.deleted === null) throw new AppError('not_found', `There is no waitlist entry ${id}.`);
}
