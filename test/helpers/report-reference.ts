// The figures of /reports and /user-reports computed straight from the tables (counts and sums over users,
// lots, spots and reservations, nothing the app's aggregates hold), and the reports as a client reads them:
// every page walked. The exactness tests hold the one against the other.
import type { NeonQueryFunction } from '@neondatabase/serverless';
import { expect } from 'vitest';
import type { Env } from '../../src/env.ts';
import { call, type CallResult } from './http.ts';

type Sql = NeonQueryFunction<false, false>;

const minutes = `greatest(1, ceil(extract(epoch FROM released_at - parked_at) / 60))`;

export async function expectedAdminReport(sql: Sql, days: string[]) {
  const [totals] = await sql.query(`
    SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM parking_lots) AS parking_lots,
           (SELECT count(*)::int FROM spots) AS spots,
           json_build_object('reserved', count(*) FILTER (WHERE status = 'reserved'), 'parked', count(*) FILTER (WHERE status = 'parked'),
                             'completed', count(*) FILTER (WHERE status = 'completed'), 'cancelled', count(*) FILTER (WHERE status = 'cancelled')) AS reservations,
           coalesce(sum(cost_cents) FILTER (WHERE status = 'completed'), 0)::int AS revenue_cents
    FROM reservations`);
  const lots = await sql.query(`
    SELECT l.id AS lot_id, l.name, l.capacity,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'available') AS available,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'reserved') AS reserved,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'occupied') AS occupied,
           (SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'held') AS held,
           (SELECT count(*)::int FROM reservations r WHERE r.lot_id = l.id AND r.status = 'completed') AS completed_reservations,
           (SELECT coalesce(sum(cost_cents), 0)::int FROM reservations r WHERE r.lot_id = l.id AND r.status = 'completed') AS revenue_cents
    FROM parking_lots l ORDER BY l.id`);
  const daily = await sql.query(
    `SELECT to_char(d, 'YYYY-MM-DD') AS day,
            (SELECT count(*)::int FROM reservations r WHERE (r.reserved_at AT TIME ZONE 'UTC')::date = d) AS reservations,
            (SELECT coalesce(sum(cost_cents), 0)::int FROM reservations r WHERE r.status = 'completed' AND (r.released_at AT TIME ZONE 'UTC')::date = d) AS revenue_cents
     FROM unnest($1::date[]) d ORDER BY d`,
    [days],
  );
  const paymentMethods = await sql.query(`
    SELECT m.method AS payment_method, count(r.id)::int AS count, coalesce(sum(r.cost_cents), 0)::int AS revenue_cents
    FROM (VALUES (1, 'card'), (2, 'cash'), (3, 'upi'), (4, NULL)) m(ord, method)
    LEFT JOIN reservations r ON r.status = 'completed' AND r.payment_method::text IS NOT DISTINCT FROM m.method
    GROUP BY m.ord, m.method ORDER BY m.ord`);
  return { totals, lots, daily, payment_methods: paymentMethods };
}

export async function expectedUserReport(sql: Sql, userId: number) {
  const [sums] = await sql.query(
    `SELECT json_build_object('reserved', count(*) FILTER (WHERE status = 'reserved'), 'parked', count(*) FILTER (WHERE status = 'parked'),
                              'completed', count(*) FILTER (WHERE status = 'completed'), 'cancelled', count(*) FILTER (WHERE status = 'cancelled')) AS reservations,
            coalesce(sum(${minutes}) FILTER (WHERE status = 'completed'), 0)::int AS minutes_parked,
            coalesce(sum(cost_cents) FILTER (WHERE status = 'completed'), 0)::int AS spent_cents
     FROM reservations WHERE user_id = $1`,
    [userId],
  );
  const perLot = await sql.query(
    `SELECT r.lot_id, l.name, count(*)::int AS reservations,
            coalesce(sum(${minutes}) FILTER (WHERE r.status = 'completed'), 0)::int AS minutes_parked,
            coalesce(sum(r.cost_cents) FILTER (WHERE r.status = 'completed'), 0)::int AS spent_cents
     FROM reservations r LEFT JOIN parking_lots l ON l.id = r.lot_id WHERE r.user_id = $1
     GROUP BY r.lot_id, l.name ORDER BY r.lot_id NULLS LAST`,
    [userId],
  );
  const history = await sql.query(`SELECT api_reservation(r) AS reservation FROM reservations r WHERE r.user_id = $1 ORDER BY r.id DESC`, [userId]);
  return { ...sums, per_lot: perLot, recent: history.map((row) => row.reservation) };
}

/** GET `path` page after page (`limit` each), as a client walks it: the first answer and the list's items. */
async function walk(env: Env, token: string, path: string, list: string, limit: number) {
  const items: unknown[] = [];
  let first: any;
  let cursor: string | null = null;
  do {
    const res: CallResult = await call('GET', `${path}?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { env, token });
    expect(res.status, res.text).toBe(200);
    first ??= res.body;
    expect(res.body[list].length).toBeLessThanOrEqual(limit);
    items.push(...res.body[list]);
    cursor = res.body[`${list}_next_cursor`];
  } while (cursor !== null);
  return { first, items };
}

/** The admin report as a client reads it: the report, and its per-lot table walked page by page. */
export async function readAdminReport(env: Env, token: string, limit: number) {
  const { first, items } = await walk(env, token, '/reports', 'lots', limit);
  const { totals, daily, payment_methods } = first;
  return { totals, lots: items, daily, payment_methods };
}

export async function readUserReport(env: Env, token: string, limit: number) {
  const { first, items } = await walk(env, token, '/user-reports', 'recent', limit);
  const { reservations, minutes_parked, spent_cents, per_lot } = first;
  return { reservations, minutes_parked, spent_cents, per_lot, recent: items };
}
