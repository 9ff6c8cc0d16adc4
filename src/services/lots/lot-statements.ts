// The statements of a lot's writes (services/lots/lots-service.ts runs them after the lot's lock, ./lot-lock.ts).
import { sql, type SQL } from 'drizzle-orm';
import type { LotPatch, NewLot } from './lots-service.ts';

/** The lot and its spots 1..capacity, in one statement; answers the lot as the API shows it. */
export function insertLotSql(input: NewLot): SQL {
  return sql`
    WITH l AS (
      INSERT INTO parking_lots (name, address, pin_code, price_per_hour_cents, capacity, latitude, longitude)
      VALUES (${input.name}, ${input.address}, ${input.pin_code}, ${input.price_per_hour_cents}, ${input.capacity},
              ${input.latitude ?? null}, ${input.longitude ?? null})
      RETURNING *
    ), s AS (
      INSERT INTO spots (lot_id, number) SELECT l.id, g FROM l, generate_series(1, l.capacity) g RETURNING id, status
    )
    SELECT l.id, l.name, l.address, l.pin_code, l.price_per_hour_cents, l.capacity, l.latitude, l.longitude,
           (SELECT count(*)::int FROM s) AS available_spots, 0 AS reserved_spots, 0 AS occupied_spots, 0 AS held_spots,
           api_time(l.created_at) AS created_at, api_time(l.updated_at) AS updated_at
    FROM l`;
}

/**
 * The change of any field, in one statement; a smaller capacity removes the spots above it only when all are
 * free. Answers whether the lot was found, how many surplus spots were busy, and whether it was updated.
 */
export function updateLotSql(id: number, patch: LotPatch): SQL {
  const set = (field: keyof NewLot) => patch[field] !== undefined;
  return sql`
    WITH target AS (
      SELECT id, capacity FROM parking_lots WHERE id = ${id} FOR UPDATE
    ), wanted AS (
      SELECT coalesce(${patch.capacity ?? null}::int, capacity) AS capacity FROM target
    ), surplus AS (
      SELECT s.id, s.status FROM spots s, wanted WHERE s.lot_id = ${id} AND s.number > wanted.capacity FOR UPDATE OF s
    ), blocked AS (
      SELECT count(*)::int AS n FROM surplus WHERE status <> 'available'
    ), removed AS (
      DELETE FROM spots WHERE id IN (SELECT id FROM surplus) AND (SELECT n FROM blocked) = 0 RETURNING id
    ), added AS (
      INSERT INTO spots (lot_id, number)
      SELECT target.id, g FROM target, wanted, generate_series(target.capacity + 1, wanted.capacity) g
      RETURNING id
    ), updated AS (
      UPDATE parking_lots SET
        name = CASE WHEN ${set('name')} THEN ${patch.name ?? null} ELSE name END,
        address = CASE WHEN ${set('address')} THEN ${patch.address ?? null} ELSE address END,
        pin_code = CASE WHEN ${set('pin_code')} THEN ${patch.pin_code ?? null} ELSE pin_code END,
        price_per_hour_cents = CASE WHEN ${set('price_per_hour_cents')} THEN ${patch.price_per_hour_cents ?? null}::int ELSE price_per_hour_cents END,
        latitude = CASE WHEN ${set('latitude')} THEN ${patch.latitude ?? null}::float8 ELSE latitude END,
        longitude = CASE WHEN ${set('longitude')} THEN ${patch.longitude ?? null}::float8 ELSE longitude END,
        capacity = (SELECT capacity FROM wanted),
        -- a later millisecond than the last edit's, even within one millisecond: it orders the cached states
        updated_at = GREATEST(now(), updated_at + interval '1 millisecond')
      WHERE id = ${id} AND (SELECT n FROM blocked) = 0
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT n FROM blocked) AS blocked,
           EXISTS (SELECT 1 FROM updated) AS updated`;
}

/** Deletes the lot when every spot is free, in one statement: found, busy spots, deleted. */
export function deleteLotSql(id: number): SQL {
  return sql`
    WITH target AS (
      SELECT id FROM parking_lots WHERE id = ${id} FOR UPDATE
    ), locked AS (
      SELECT s.status FROM spots s WHERE s.lot_id = ${id} FOR UPDATE
    ), busy AS (
      SELECT count(*)::int AS n FROM locked WHERE status <> 'available'
    ), deleted AS (
      DELETE FROM parking_lots WHERE id IN (SELECT id FROM target) AND (SELECT n FROM busy) = 0 RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT n FROM busy) AS busy, EXISTS (SELECT 1 FROM deleted) AS deleted`;
}
