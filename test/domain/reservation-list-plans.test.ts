// A page of GET /reservations filtered by status reads a page of rows, not every newer reservation of another
// status. The newest reservations are the running ones (one per busy spot), and a page of completed or
// cancelled ones must not read past all of them first: PostgreSQL, assuming the matching rows spread evenly
// over the ids, liked to walk the primary key backwards and filter (bench:scale: 60 909 rows read for one page
// of cancelled reservations on 1 000 000). On a database of the file's own, shaped so: old history, then as
// many running reservations as there are spots; the statement the endpoint sent is planned again under
// EXPLAIN ANALYZE, on the statistics a real table has (ANALYZE).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database.ts';
import { tagged } from '../helpers/stand-ins.ts';

const SPOTS = 2000;
let db: IsolatedDatabase;
let admin: string;

interface PlanNode {
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

const removed = (node: PlanNode): number =>
  (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1) + (node.Plans ?? []).reduce((sum, child) => sum + removed(child), 0);

beforeAll(async () => {
  db = await isolatedDatabase('reservation_plans');
  await db.migrate();
  const res = await call('POST', '/auth/register', { env: db.env, body: { email: 'admin@plans.test', password: 'a-good-password', name: 'Admin' } });
  expect(res.status, res.text).toBe(201);
  await db.sql.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [res.body.user.id]);
  admin = res.body.token;
  await db.sql.query(
    `WITH l AS (INSERT INTO parking_lots (name, address, pin_code, price_per_hour_cents, capacity)
                SELECT 'Lot ' || g, 'x', '560001', 100, 100 FROM generate_series(1, $1::int / 100) g RETURNING id)
     INSERT INTO spots (lot_id, number) SELECT id, n FROM l, generate_series(1, 100) n`,
    [SPOTS],
  );
  // History, oldest first: cancelled and completed in turn.
  await db.sql.query(
    `INSERT INTO reservations (lot_id, spot_id, spot_number, vehicle_plate, status, reserved_at, parked_at, released_at, price_per_hour_cents, cost_cents)
     SELECT s.lot_id, s.id, s.number, 'H' || g, CASE WHEN g % 2 = 0 THEN 'cancelled' ELSE 'completed' END::reservation_status,
            now() - interval '2 days', CASE WHEN g % 2 = 0 THEN NULL ELSE now() - interval '2 days' END, now() - interval '1 day', 100,
            CASE WHEN g % 2 = 0 THEN NULL ELSE 100 END
     FROM generate_series(1, $1::int) g JOIN spots s ON s.id = (SELECT min(id) FROM spots) + g % $1::int`,
    [SPOTS],
  );
  // Then every spot taken, the newest rows.
  await db.sql.query(
    `WITH r AS (INSERT INTO reservations (lot_id, spot_id, spot_number, vehicle_plate, status, price_per_hour_cents)
                SELECT lot_id, id, number, 'A' || id, 'reserved', 100 FROM spots ORDER BY id RETURNING spot_id)
     UPDATE spots SET status = 'reserved' WHERE id IN (SELECT spot_id FROM r)`,
  );
  await db.sql.query('VACUUM ANALYZE reservations');
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

it.each(['cancelled', 'completed'])('a page of %s reservations reads the page, not the running ones newer than it', async (status) => {
  const stand = tagged();
  const env = { ...db.env, DATABASE_URL: `${db.url}?application_name=${stand.tag}` };
  const res = await call('GET', `/reservations?status=${status}&limit=20`, { env, token: admin });
  expect(res.status, res.text).toBe(200);
  const expected = await db.sql.query('SELECT id FROM reservations WHERE status = $1 ORDER BY id DESC LIMIT 20', [status]);
  expect(res.body.data.map((r: { id: number }) => r.id)).toEqual(expected.map((r) => r.id));

  const stats = (await (await fetch(`${testEnv.NEON_CONTROL_URL}/__control/stats?tag=${stand.tag}`)).json()) as {
    statements: { query: string; params: (string | null)[] }[];
  };
  const list = stats.statements.find((s) => s.query.includes('api_reservation'));
  expect(list).toBeDefined();
  const [row] = await db.sql.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${list!.query}`, list!.params);
  const plan = (row!['QUERY PLAN'] as [{ Plan: PlanNode }])[0].Plan;
  // A page of 21 rows (one more says that there is a next page); the 2 000 running ones must not be read.
  expect(removed(plan)).toBeLessThan(100);
});
