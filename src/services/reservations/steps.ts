// The steps of a reservation after booking, each ONE statement that moves the reservation and its spot
// together: park (reserved → parked, spot occupied), release (parked → completed, spot available, cost set),
// cancel (reserved → cancelled, spot available). Two racing steps on one reservation have one winner: the
// loser re-checks the state after the row lock and finds it changed.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters } from '../../redis/keys.ts';
import { invalidateNow } from '../cache.ts';
import { lotKeys, settleLot } from '../lots/lots-service.ts';
import { selectLots } from '../lots/lot-view.ts';
import type { Lot } from '../../schemas/lots.ts';
import { lockLot } from '../lots/lot-lock.ts';
import { availabilitySql, notifyLive, type LotChange } from '../live/availability.ts';
import type { PaymentMethod } from '../../schemas/fields.ts';
import type { Reservation } from '../../schemas/reservations.ts';
import type { User } from '../../schemas/users.ts';


interface Step {
  name: 'park' | 'release' | 'cancel';
  from: 'reserved' | 'parked';
  spotBecomes: 'occupied' | 'available';
  adminMayDo: boolean;
  set: SQL;
}

// cost = ceil(price_per_hour × minutes / 60), minutes = max(1, ceil(parked seconds / 60)), at the booked price;
// numeric all the way and bigint at the end, so no stay overflows (see MAX_PRICE_PER_HOUR_CENTS).
const cost = sql`ceil(r.price_per_hour_cents::numeric * greatest(1, ceil(extract(epoch FROM now() - r.parked_at) / 60)) / 60)::bigint`;

const steps = {
  park: { name: 'park', from: 'reserved', spotBecomes: 'occupied', adminMayDo: false, set: sql`status = 'parked', parked_at = now()` },
  cancel: { name: 'cancel', from: 'reserved', spotBecomes: 'available', adminMayDo: true, set: sql`status = 'cancelled', released_at = now()` },
} satisfies Record<string, Step>;

function releaseStep(paymentMethod: PaymentMethod | null): Step {
  return {
    name: 'release',
    from: 'parked',
    spotBecomes: 'available',
    adminMayDo: true,
    set: sql`status = 'completed', released_at = now(), cost_cents = ${cost}, payment_method = ${paymentMethod}::payment_method`,
  };
}

type Row = { before: { user_id: number | null; lot_id: number | null; status: string } | null; after: Reservation | null };

/** Moves the reservation and its spot together; `before` tells why nothing moved (absent, not allowed, wrong state). */
function stepStatement(id: number, step: Step, allowed: SQL): SQL {
  return sql`
    WITH target AS (
      SELECT user_id, lot_id, status FROM reservations WHERE id = ${id}
    ), changed AS (
      UPDATE reservations r SET ${step.set}
      WHERE r.id = ${id} AND r.status = ${step.from} AND ${allowed}
      RETURNING r.*
    ), spot AS (
      UPDATE spots SET status = ${step.spotBecomes}::spot_status FROM changed WHERE spots.id = changed.spot_id RETURNING spots.id
    )
    SELECT (SELECT row_to_json(target) FROM target) AS before,
           (SELECT api_reservation(ROW(c.*)::reservations) FROM changed c) AS after`;
}

async function invalidateLotOf(deps: Deps, id: number): Promise<void> {
  const { rows } = await deps.db.execute<{ lot_id: number | null }>(sql`SELECT lot_id FROM reservations WHERE id = ${id}`);
  if (rows[0]?.lot_id) await invalidateNow(deps, lotKeys(rows[0].lot_id));
}

async function runStep(deps: Deps, actor: User, id: number, step: Step): Promise<Reservation> {
  const allowed = step.adminMayDo && actor.role === 'admin' ? sql`true` : sql`r.user_id = ${actor.id}`;
  // The reservation's lot is locked first, as every write that touches spots does (../lots/lot-lock.ts), and
  // read after the step for its cache entry and its live stream: one round trip. A step the statement refuses
  // (not the owner, wrong state) changes nothing, and nothing in the cache.
  const lotOfReservation = sql`(SELECT lot_id FROM reservations WHERE id = ${id})`;
  const [, result, lot, availability] = await deps.db
    .batch([
      deps.db.execute(lockLot(lotOfReservation, 'KEY SHARE')),
      deps.db.execute<Row>(stepStatement(id, step, allowed)),
      deps.db.execute<Lot>(selectLots(sql`l.id = ${lotOfReservation}`)),
      deps.db.execute<LotChange>(availabilitySql(lotOfReservation)),
    ])
    .catch(async (error: unknown) => {
      // The batch may have committed before its answer was lost (a timeout): let no cache keep the old state.
      await invalidateLotOf(deps, id).catch(() => {});
      throw error;
    });
  const { before, after } = result.rows[0]!;
  if (!before) throw new AppError('not_found', `There is no reservation ${id}.`);
  const mayAct = before.user_id === actor.id || (step.adminMayDo && actor.role === 'admin');
  if (!mayAct) {
    throw new AppError('forbidden', step.adminMayDo ? 'Only its owner or an admin may do this.' : 'Only its owner may do this.');
  }
  if (!after) {
    throw new AppError('invalid_transition', `Only a ${step.from} reservation can be ${step.name === 'park' ? 'parked' : step.name === 'release' ? 'released' : 'cancelled'}.`, {
      required_status: step.from,
    });
  }
  const changed = availability.rows[0];
  if (lot.rows[0] && changed) await settleLot(deps, lot.rows[0], changed);
  notifyLive(deps, changed);
  if (step.name === 'cancel') deps.request.count(counters.reservationsCancelled);
  return after;
}

export const park = (deps: Deps, actor: User, id: number) => runStep(deps, actor, id, steps.park);
export const cancel = (deps: Deps, actor: User, id: number) => runStep(deps, actor, id, steps.cancel);
export const release = (deps: Deps, actor: User, id: number, paymentMethod: PaymentMethod | null) =>
  runStep(deps, actor, id, releaseStep(paymentMethod));
