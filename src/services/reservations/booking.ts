// Booking: the lowest-numbered available spot of a lot, in ONE statement after the lot's lock (FOR KEY SHARE,
// ../lots/lot-lock.ts: capacity changes and deletes wait for it, other bookings do not), correct under any
// concurrency. The spot row is locked and flipped to `reserved` in the same statement that inserts the
// reservation; a concurrent booking that wanted the same spot re-checks it after the lock and moves on to the
// next one.
// Unique indexes refuse a second active reservation per spot or per plate whatever happens above them.
//
// With an Idempotency-Key the statement also claims the key and stores the answer it gives, in the same
// transaction (one HTTP batch): a concurrent retry waits on the key's row and then replays the stored
// answer, byte for byte; a retry with another body is refused. All of it lives in Postgres, so it holds
// with Redis down.
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters, dayOf } from '../../redis/keys.ts';
import { writing } from '../cache.ts';
import { lockLot } from '../lots/lot-lock.ts';
import { lotKeys, settleLot } from '../lots/lots-service.ts';
import { selectLots } from '../lots/lot-view.ts';
import type { Lot } from '../../schemas/lots.ts';
import { availabilitySql, notifyLive, type LotChange } from '../live/availability.ts';
import type { ErrorBody } from '../../schemas/errors.ts';
import type { Reservation } from '../../schemas/reservations.ts';

export interface BookingRequest {
  userId: number;
  lotId: number;
  vehiclePlate: string;
  idempotencyKey: string | null;
}

/** The answer to give, fresh or replayed: a reservation, or the refusal that was (and will again be) given. */
export type BookingAnswer =
  | { status: 201; body: Reservation; replayed: boolean }
  | { status: 404 | 409; body: ErrorBody; replayed: boolean };

const messages = {
  notFound: 'There is no such parking lot.',
  plateBusy: 'This vehicle already holds an active reservation.',
  lotFull: 'Every spot of this lot is taken.',
};

export function requestHash(lotId: number, vehiclePlate: string): string {
  return createHash('sha256').update(JSON.stringify({ lot_id: lotId, vehicle_plate: vehiclePlate })).digest('hex');
}

const errorJson = (code: string, message: string) => sql`json_build_object('error', json_build_object('code', ${code}::text, 'message', ${message}::text))`;

function bookingStatement(r: BookingRequest, hash: string | null): SQL {
  const key = r.idempotencyKey;
  return sql`
    WITH claim AS (
      SELECT 1 WHERE ${key}::text IS NULL
      UNION ALL
      SELECT 1 FROM idempotency_keys
      WHERE user_id = ${r.userId} AND key = ${key}::text AND request_hash = ${hash}::text AND response_status IS NULL
    ), lot AS (
      SELECT id, price_per_hour_cents FROM parking_lots WHERE id = ${r.lotId} AND EXISTS (SELECT 1 FROM claim)
    ), plate_busy AS (
      SELECT 1 FROM reservations
      WHERE vehicle_plate = ${r.vehiclePlate} AND status IN ('reserved', 'parked') AND EXISTS (SELECT 1 FROM claim)
    ), candidate AS (
      SELECT s.id, s.number FROM spots s, lot
      WHERE s.lot_id = lot.id AND s.status = 'available' AND NOT EXISTS (SELECT 1 FROM plate_busy)
      ORDER BY s.number LIMIT 1
      FOR UPDATE OF s
    ), taken AS (
      UPDATE spots SET status = 'reserved' FROM candidate WHERE spots.id = candidate.id RETURNING spots.id, spots.number
    ), booked AS (
      INSERT INTO reservations (user_id, lot_id, spot_id, spot_number, vehicle_plate, price_per_hour_cents)
      SELECT ${r.userId}, lot.id, taken.id, taken.number, ${r.vehiclePlate}, lot.price_per_hour_cents FROM taken, lot
      RETURNING *
    ), outcome AS (
      SELECT
        CASE WHEN NOT EXISTS (SELECT 1 FROM claim) THEN NULL
             WHEN EXISTS (SELECT 1 FROM booked) THEN 201
             WHEN NOT EXISTS (SELECT 1 FROM lot) THEN 404
             ELSE 409 END AS status,
        CASE WHEN NOT EXISTS (SELECT 1 FROM claim) THEN NULL
             WHEN EXISTS (SELECT 1 FROM booked) THEN (SELECT api_reservation(ROW(b.*)::reservations) FROM booked b)
             WHEN NOT EXISTS (SELECT 1 FROM lot) THEN ${errorJson('not_found', messages.notFound)}
             WHEN EXISTS (SELECT 1 FROM plate_busy) THEN ${errorJson('vehicle_already_parked', messages.plateBusy)}
             ELSE ${errorJson('lot_full', messages.lotFull)} END AS body
    ), recorded AS (
      UPDATE idempotency_keys SET response_status = outcome.status, response_body = outcome.body
      FROM outcome
      WHERE ${key}::text IS NOT NULL AND outcome.status IS NOT NULL
        AND user_id = ${r.userId} AND key = ${key}::text AND response_status IS NULL
      RETURNING 1
    ), prior AS (
      SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE user_id = ${r.userId} AND key = ${key}::text
    )
    SELECT
      CASE WHEN (SELECT status FROM outcome) IS NOT NULL THEN 'fresh'
           WHEN (SELECT request_hash FROM prior) IS DISTINCT FROM ${hash}::text THEN 'mismatch'
           ELSE 'replay' END AS kind,
      coalesce((SELECT status FROM outcome), (SELECT response_status FROM prior))::int AS status,
      coalesce((SELECT body FROM outcome), (SELECT response_body FROM prior)) AS body`;
}

/** Claims the key, or renews it when the one on record is older than 24 hours. */
function claimStatement(r: BookingRequest, hash: string): SQL {
  return sql`
    INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES (${r.userId}, ${r.idempotencyKey}, ${hash})
    ON CONFLICT (user_id, key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL, created_at = now()
      WHERE idempotency_keys.created_at < now() - interval '24 hours'`;
}

type Row = { kind: 'fresh' | 'replay' | 'mismatch'; status: number; body: unknown };

export async function book(deps: Deps, request: BookingRequest): Promise<BookingAnswer> {
  const hash = request.idempotencyKey ? requestHash(request.lotId, request.vehiclePlate) : null;
  let row: Row;
  try {
    // One round trip either way: [claim the key,] lock the lot (../lots/lot-lock.ts), book, and the lot after it
    // (for its cache entry and its live stream).
    const lock = deps.db.execute(lockLot(request.lotId, 'KEY SHARE'));
    const booking = deps.db.execute<Row>(bookingStatement(request, hash));
    const lot = deps.db.execute<Lot>(selectLots(sql`l.id = ${request.lotId}`));
    const availability = deps.db.execute<LotChange>(availabilitySql(sql`${request.lotId}`));
    const run = async () => {
      if (!request.idempotencyKey || !hash) {
        const [, ...results] = await deps.db.batch([lock, booking, lot, availability]);
        return results;
      }
      const [, , ...results] = await deps.db.batch([deps.db.execute(claimStatement(request, hash)), lock, booking, lot, availability]);
      return results;
    };
    const [booked, after, change] = await writing(deps, lotKeys(request.lotId), run);
    row = booked.rows[0]!;
    if (row.kind === 'fresh' && row.status === 201) {
      await settleLot(deps, after.rows[0]!, change.rows[0]!);
      notifyLive(deps, change.rows[0]);
    }
  } catch (error) {
    // Two bookings of one plate that raced past each other's check: the unique index decided.
    if (constraintOf(error) === 'reservations_one_active_per_plate') throw new AppError('vehicle_already_parked', messages.plateBusy);
    if (constraintOf(error) === 'reservations_one_active_per_spot') throw new AppError('lot_full', messages.lotFull);
    // The account was deleted while it booked.
    if (constraintOf(error) === 'reservations_user_id_users_id_fk' || constraintOf(error) === 'idempotency_keys_user_id_users_id_fk') {
      throw new AppError('unauthorized', 'This account no longer exists.');
    }
    if (constraintOf(error) === 'reservations_lot_id_parking_lots_id_fk' || constraintOf(error) === 'reservations_spot_id_spots_id_fk') {
      throw new AppError('not_found', messages.notFound);
    }
    throw error;
  }
  if (row.kind === 'mismatch') {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body in the last 24 hours.');
  }
  if (row.kind === 'fresh' && row.status === 201) {
    deps.request.count(counters.totalReservations);
    deps.request.count(counters.dailyReservations(dayOf(new Date())));
  }
  const replayed = row.kind === 'replay';
  // The statement builds both bodies in SQL (api_reservation(), or the error envelope); their shapes are its own.
  return row.status === 201 ? { status: 201, body: row.body as Reservation, replayed } : { status: row.status as 404 | 409, body: row.body as ErrorBody, replayed };
}
