// GET /user-reports: the caller's own reservations, summed up in one SQL statement, and their history as
// CSV. Nothing here can reach another user's rows: every statement filters on the caller's id.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { CsvColumn } from '../csv.ts';
import type { Reservation } from '../../schemas/reservations.ts';
import type { UserReport } from '../../schemas/reports.ts';

export const RECENT = 20;

// Minutes of a completed stay by the rule the cost was priced with: max(1, ceil(seconds / 60)).
// The reservations of lots deleted since (lot_id null) make one row with lot_id and name null.
export async function buildUserReport(deps: Deps, userId: number): Promise<UserReport> {
  const { rows } = await deps.db.execute<{ report: UserReport }>(sql`
    WITH mine AS (
      SELECT r.lot_id, r.status, r.cost_cents,
             CASE WHEN r.status = 'completed' THEN greatest(1, ceil(extract(epoch FROM r.released_at - r.parked_at) / 60))::bigint END AS minutes
      FROM reservations r WHERE r.user_id = ${userId}
    ), per_lot AS (
      SELECT lot_id, count(*)::int AS n, coalesce(sum(minutes), 0)::bigint AS minutes, coalesce(sum(cost_cents), 0)::bigint AS cents
      FROM mine GROUP BY lot_id
    )
    SELECT json_build_object(
      'reservations', (
        SELECT json_build_object(
          'reserved', count(*) FILTER (WHERE status = 'reserved'), 'parked', count(*) FILTER (WHERE status = 'parked'),
          'completed', count(*) FILTER (WHERE status = 'completed'), 'cancelled', count(*) FILTER (WHERE status = 'cancelled'))
        FROM mine),
      'minutes_parked', (SELECT coalesce(sum(minutes), 0)::bigint FROM mine),
      'spent_cents', (SELECT coalesce(sum(cost_cents), 0)::bigint FROM mine WHERE status = 'completed'),
      'per_lot', (
        SELECT coalesce(json_agg(json_build_object('lot_id', p.lot_id, 'name', l.name, 'reservations', p.n, 'minutes_parked', p.minutes, 'spent_cents', p.cents)
                                 ORDER BY p.lot_id NULLS LAST), '[]'::json)
        FROM per_lot p LEFT JOIN parking_lots l ON l.id = p.lot_id),
      'recent', (
        SELECT coalesce(json_agg(api_reservation(x.r) ORDER BY (x.r).id DESC), '[]'::json)
        FROM (SELECT r FROM reservations r WHERE r.user_id = ${userId} ORDER BY r.id DESC LIMIT ${RECENT}) x)
    ) AS report`);
  return rows[0]!.report;
}

const fields = ['id', 'user_id', 'lot_id', 'spot_number', 'vehicle_plate', 'status', 'reserved_at', 'parked_at', 'released_at', 'price_per_hour_cents', 'cost_cents', 'payment_method'] as const;

export const reservationColumns: CsvColumn<Reservation>[] = fields.map((field) => ({ header: field, value: (r) => r[field] }));

const PAGE = 1000;

/** All of the user's reservations, newest first, a page per round trip (keyset on the id). */
export async function* historyPages(deps: Deps, userId: number): AsyncGenerator<Reservation[]> {
  let before: number | null = null;
  for (;;) {
    const { rows }: { rows: { reservation: Reservation }[] } = await deps.db.execute<{ reservation: Reservation }>(sql`
      SELECT api_reservation(r) AS reservation FROM reservations r
      WHERE r.user_id = ${userId} AND ${before === null ? sql`true` : sql`r.id < ${before}`} ORDER BY r.id DESC LIMIT ${PAGE}`);
    if (rows.length > 0) yield rows.map((row) => row.reservation);
    if (rows.length < PAGE) return;
    before = rows[rows.length - 1]!.reservation.id;
  }
}
