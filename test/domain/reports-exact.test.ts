// Every figure of /reports and /user-reports (totals, the per-lot table walked page by page, the 30 days, the
// payment methods, each user's sums, lots and history) held against the same figure computed straight from the
// tables, on a database of this file's own, so that the totals must be exact rather than merely growing:
// 1. for data written under the schema before migration 0010 (its backfill), stays across midnight, deleted
//    lots and users, every state and payment method included;
// 2. after bookings, steps, cancellations, stays moved across midnight, racing bookings, a lot and a user
//    deleted and a lot shrunk, all through the API (the triggers, in the same statements);
// 3. after the aggregates are rebuilt from nothing (they come out the same).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database.ts';
import { expectedAdminReport, expectedUserReport, readAdminReport, readUserReport } from '../helpers/report-reference.ts';
import { hashPassword } from '../../src/services/auth/password.ts';

const PASSWORD = 'a-good-password';
let db: IsolatedDatabase;
const tokens = new Map<number, string>();

const api = (method: string, path: string, token: string, body?: unknown) => call(method, path, { env: db.env, token, body });

async function ok(method: string, path: string, token: string, body?: unknown) {
  const res = await api(method, path, token, body);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.body;
}

async function signIn(email: string): Promise<number> {
  const res = await call('POST', '/auth/login', { env: db.env, body: { email, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  tokens.set(res.body.user.id, res.body.token);
  return res.body.user.id;
}

async function register(name: string): Promise<number> {
  const email = `${name}@exact.test`;
  expect((await call('POST', '/auth/register', { env: db.env, body: { email, password: PASSWORD, name } })).status).toBe(201);
  return signIn(email);
}

/** Every figure, through the API with small pages, against the tables. */
async function expectExact(admin: number) {
  const report = await readAdminReport(db.env, tokens.get(admin)!, 2);
  expect(report).toEqual(await expectedAdminReport(db.sql, report.daily.map((d: { day: string }) => d.day)));
  const csv = await call('GET', '/reports?format=csv', { env: db.env, token: tokens.get(admin)! });
  expect(csv.text.trimEnd().split('\r\n').slice(1).map((line) => Number(line.split(',')[0]))).toEqual(report.lots.map((l: any) => l.lot_id));
  for (const [userId, token] of tokens) {
    const mine = await readUserReport(db.env, token, 2);
    expect(mine, `user ${userId}`).toEqual(await expectedUserReport(db.sql, userId));
    const history = await call('GET', '/user-reports?format=csv', { env: db.env, token });
    expect(history.text.trimEnd().split('\r\n').slice(1).map((line) => Number(line.split(',')[0]))).toEqual(mine.recent.map((r: any) => r.id));
  }
}

// Today's UTC midnight, and moments around it, in SQL.
const MIDNIGHT = `(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

beforeAll(async () => {
  db = await isolatedDatabase('reports_exact');
  await db.migrate('0010');
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('the report aggregates are exact', () => {
  let admin = 0;

  it('after migration 0010 fills them from the reservations already there', async () => {
    const hash = await hashPassword(PASSWORD);
    await db.sql.query(
      `INSERT INTO users (id, email, password_hash, name, role) VALUES (1, 'old-admin@exact.test', $1, 'Old Admin', 'admin'),
         (2, 'old-a@exact.test', $1, 'Old A', 'user'), (3, 'old-b@exact.test', $1, 'Old B', 'user')`,
      [hash],
    );
    await db.sql.query(`SELECT setval('users_id_seq', 3)`);
    await db.sql.query(`INSERT INTO parking_lots (id, name, address, pin_code, price_per_hour_cents, capacity) VALUES (1, 'One', 'a', '1', 600, 3), (2, 'Two', 'b', '2', 1200, 2)`);
    await db.sql.query(`SELECT setval('parking_lots_id_seq', 2)`);
    await db.sql.query(`INSERT INTO spots (lot_id, number, status) VALUES (1, 1, 'available'), (1, 2, 'available'), (1, 3, 'reserved'), (2, 1, 'occupied'), (2, 2, 'available')`);
    await db.sql.query(`
      INSERT INTO reservations (user_id, lot_id, spot_id, spot_number, vehicle_plate, status, reserved_at, parked_at, released_at, price_per_hour_cents, cost_cents, payment_method)
      VALUES
        (2, 1, 1, 1, 'OLD1', 'completed', ${MIDNIGHT} - interval '40 days', ${MIDNIGHT} - interval '40 days' + interval '5 min', ${MIDNIGHT} - interval '40 days' + interval '65 min', 600, 600, 'card'),
        (2, 1, 2, 2, 'OLD2', 'completed', ${MIDNIGHT} - interval '20 min', ${MIDNIGHT} - interval '10 min', ${MIDNIGHT} + interval '20 min', 600, 300, 'cash'),
        (2, 2, 5, 2, 'OLD3', 'cancelled', ${MIDNIGHT} - interval '1 day 5 min', NULL, ${MIDNIGHT} - interval '23 hours 55 min', 1200, NULL, NULL),
        (3, 2, 4, 1, 'OLD4', 'parked', now() - interval '2 hours', now() - interval '90 min', NULL, 1200, NULL, NULL),
        (3, 1, 3, 3, 'OLD5', 'reserved', now() - interval '10 min', NULL, NULL, 600, NULL, NULL),
        (3, NULL, NULL, 4, 'OLD6', 'completed', now() - interval '3 days', now() - interval '3 days' + interval '1 min', now() - interval '2 days 22 hours', 300, 600, 'upi'),
        (NULL, 1, 1, 1, 'OLD7', 'completed', now() - interval '10 days', now() - interval '10 days', now() - interval '10 days' + interval '61 sec', 600, 20, NULL),
        (NULL, NULL, NULL, 2, 'OLD8', 'cancelled', now() - interval '5 days', NULL, now() - interval '5 days' + interval '3 min', 900, NULL, NULL)`);
    await db.migrate();
    admin = await signIn('old-admin@exact.test');
    await signIn('old-a@exact.test');
    await signIn('old-b@exact.test');
    await expectExact(admin);
  });

  it('after bookings, steps, cancellations, races and deletions through the API', async () => {
    const [d1, d2, gone] = [await register('d1'), await register('d2'), await register('gone')];
    const lot = async (capacity: number, price = 600) => (await ok('POST', '/parking-lots', tokens.get(admin)!, { name: `Lot ${capacity}-${price}`, address: 'x', pin_code: '560001', price_per_hour_cents: price, capacity })).id;
    const book = async (user: number, lotId: number, plate: string) => (await ok('POST', '/reservations', tokens.get(user)!, { lot_id: lotId, vehicle_plate: plate })).id;
    const step = (user: number, id: number, name: string, body?: unknown) => ok('POST', `/reservations/${id}/${name}`, tokens.get(user)!, body);
    const [three, one, race] = [await lot(3), await lot(1, 1200), await lot(5, 300)];

    const overnight = await book(d1, three, 'NEW1'); // parked before midnight, released now
    await step(d1, overnight, 'park');
    await db.sql.query(`UPDATE reservations SET reserved_at = ${MIDNIGHT} - interval '40 min', parked_at = ${MIDNIGHT} - interval '30 min' WHERE id = $1`, [overnight]);
    await step(d1, overnight, 'release', { payment_method: 'card' });
    await step(d1, await book(d1, three, 'NEW2'), 'cancel');
    const unpaid = await book(d2, three, 'NEW3');
    await step(d2, unpaid, 'park');
    await step(d2, unpaid, 'release');
    const stillParked = await book(gone, one, 'NEW4');
    await step(gone, stillParked, 'park');
    await step(admin, stillParked, 'release', { payment_method: 'upi' });
    await step(2, await book(2, 1, 'NEW5'), 'park'); // the old user parks in an old lot

    // 40 bookings at once on a 5-spot lot; then its 5 stays park and are released at once.
    const users = [d1, d2, gone, admin];
    const racing = await Promise.all(Array.from({ length: 40 }, (_, i) => api('POST', '/reservations', tokens.get(users[i % 4]!)!, { lot_id: race, vehicle_plate: `RACE${i}` })));
    const won = racing.filter((r) => r.status === 201).map((r) => r.body);
    expect(won).toHaveLength(5);
    await Promise.all(won.map((r) => step(r.user_id, r.id, 'park')));
    await Promise.all(won.map((r, i) => step(r.user_id, r.id, 'release', i % 2 ? { payment_method: 'cash' } : {})));

    expect((await api('DELETE', `/parking-lots/${one}`, tokens.get(admin)!)).status).toBe(204);
    expect((await api('DELETE', `/users/${gone}`, tokens.get(admin)!)).status).toBe(204);
    tokens.delete(gone);
    await ok('PATCH', `/parking-lots/${three}`, tokens.get(admin)!, { capacity: 2 });
    await expectExact(admin);
  });

  it('and rebuilt from the tables alone, they come out the same', async () => {
    const days = `SELECT day, ${['booked', 'parked', 'cancelled', 'completed', 'minutes_parked', 'revenue_cents', 'completed_card', 'completed_cash', 'completed_upi', 'revenue_card_cents', 'revenue_cash_cents', 'revenue_upi_cents'].map((c) => `sum(${c})::text AS ${c}`).join(', ')}
                  FROM reservation_stats_by_day GROUP BY day ORDER BY day`; // the rebuild puts a day in one slot
    const tables = [days, 'SELECT * FROM reservation_stats_by_lot ORDER BY lot_id', 'SELECT * FROM reservation_stats_by_user_lot ORDER BY user_id, lot_id', 'SELECT * FROM row_counts'];
    const kept = await Promise.all(tables.map((t) => db.sql.query(t)));
    await db.sql.query('SELECT report_stats_rebuild()');
    expect(await Promise.all(tables.map((t) => db.sql.query(t)))).toEqual(kept);
    expect(kept[0]!.length).toBeGreaterThan(5);
    await expectExact(admin);
  });
});
