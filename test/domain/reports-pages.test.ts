// The lists of the reports page by keyset: `lots` of /reports, `recent` and `per_lot` of /user-reports are the first page
// unless `limit`/`cursor` say otherwise, a walk meets every row once while rows come and go, a cursor that is
// not the list's own is refused before the request costs anything, and the CSV exports stream every page, one
// Postgres round trip a page. On a database of the file's own, so that it knows every lot there is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database.ts';
import { tagged } from '../helpers/stand-ins.ts';
import { encodeCursor } from '../../src/services/pagination.ts';
import { LOT_CSV_PAGE } from '../../src/services/reports/lot-table.ts';
import { HISTORY_CSV_PAGE } from '../../src/services/reports/user-report.ts';

let db: IsolatedDatabase;
let admin: { id: number; token: string };
let driver: { id: number; token: string };

async function register(name: string, role: 'user' | 'admin' = 'user') {
  const res = await call('POST', '/auth/register', { env: db.env, body: { email: `${name}@pages.test`, password: 'a-good-password', name } });
  expect(res.status, res.text).toBe(201);
  if (role === 'admin') await db.sql.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [res.body.user.id]);
  return { id: res.body.user.id as number, token: res.body.token as string };
}

const get = (path: string, token: string) => call('GET', path, { env: db.env, token });
const lotIds = async () => (await db.sql.query('SELECT id FROM parking_lots ORDER BY id')).map((r) => r.id as number);
const csvIds = (text: string) => text.trimEnd().split('\r\n').slice(1).map((line) => Number(line.split(',')[0]));

async function addLots(n: number) {
  await db.sql.query(
    `WITH l AS (INSERT INTO parking_lots (name, address, pin_code, price_per_hour_cents, capacity)
                SELECT 'Bulk ' || g, 'x', '560001', 100, 2 FROM generate_series(1, $1::int) g RETURNING id)
     INSERT INTO spots (lot_id, number) SELECT id, n FROM l, generate_series(1, 2) n`,
    [n],
  );
}

/** `n` cancelled reservations of the user, oldest first. */
async function addHistory(userId: number, n: number) {
  await db.sql.query(
    `INSERT INTO reservations (user_id, lot_id, spot_number, vehicle_plate, status, reserved_at, released_at, price_per_hour_cents)
     SELECT $1::int, NULL, 1, 'H' || g, 'cancelled', now() - make_interval(mins => $2::int - g), now() - make_interval(mins => $2::int - g), 100
     FROM generate_series(1, $2::int) g`,
    [userId, n],
  );
}

beforeAll(async () => {
  db = await isolatedDatabase('reports_pages');
  await db.migrate();
  [admin, driver] = [await register('admin', 'admin'), await register('driver')];
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('the per-lot table of /reports', () => {
  it('is the first 100 lots unless asked otherwise, with the cursor of the next page', async () => {
    await addLots(102);
    const first = await get('/reports', admin.token);
    expect(first.body.lots.map((l: any) => l.lot_id)).toEqual((await lotIds()).slice(0, 100));
    expect(first.body.lots_next_cursor).toEqual(expect.any(String));
    const rest = await get(`/reports?cursor=${first.body.lots_next_cursor}`, admin.token);
    expect(rest.body.lots.map((l: any) => l.lot_id)).toEqual((await lotIds()).slice(100));
    expect(rest.body.lots_next_cursor).toBeNull();
  });

  it('meets every lot once, in id order, while lots are created and deleted during the walk', async () => {
    const before = await lotIds();
    const seen: number[] = [];
    const goneAhead: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/reports?limit=7${cursor ? `&cursor=${cursor}` : ''}`, admin.token);
      seen.push(...res.body.lots.map((l: any) => l.lot_id));
      cursor = res.body.lots_next_cursor;
      // Between two pages a lot already met goes, one not met yet goes, and a new one comes (ids only grow).
      const now = await lotIds();
      const behind = now.find((id) => seen.includes(id));
      const ahead = now.filter((id) => id > seen[seen.length - 1]!)[1];
      for (const id of [behind, ahead]) {
        if (id !== undefined) expect((await call('DELETE', `/parking-lots/${id}`, { env: db.env, token: admin.token })).status).toBe(204);
      }
      if (ahead !== undefined) goneAhead.push(ahead);
      await addLots(1);
    } while (cursor !== null);
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
    expect(seen.filter((id) => goneAhead.includes(id))).toEqual([]);
    expect(before.filter((id) => !goneAhead.includes(id) && !seen.includes(id))).toEqual([]);
    expect(seen.some((id) => !before.includes(id))).toBe(true); // lots made during the walk come at its end
  });

  it('downloads every lot as CSV, one Postgres round trip for every 500 lots', async () => {
    await addLots(2 * LOT_CSV_PAGE + 3);
    const ids = await lotIds();
    const stand = tagged();
    const env = { ...db.env, DATABASE_URL: `${db.url}?application_name=${stand.tag}` };
    const { result, neon } = await stand.count(() => call('GET', '/reports?format=csv&limit=1', { env, token: admin.token }));
    expect(result.status).toBe(200);
    expect(csvIds(result.text)).toEqual(ids);
    // The session, looked up in Postgres (this database has no Redis), and one round trip a page.
    expect(neon).toBe(1 + Math.floor(ids.length / LOT_CSV_PAGE) + 1);
  });
});

describe('the history of /user-reports', () => {
  it('is the 20 newest unless asked otherwise; a walk gives every reservation once, newest first', async () => {
    await addHistory(driver.id, 45);
    const all = (await db.sql.query('SELECT id FROM reservations WHERE user_id = $1 ORDER BY id DESC', [driver.id])).map((r) => r.id as number);
    const first = await get('/user-reports', driver.token);
    expect(first.body.recent.map((r: any) => r.id)).toEqual(all.slice(0, 20));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/user-reports?limit=7${cursor ? `&cursor=${cursor}` : ''}`, driver.token);
      expect(res.body.reservations.cancelled).toBe(45); // every page carries the whole report
      seen.push(...res.body.recent.map((r: any) => r.id));
      cursor = res.body.recent_next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
  });

  it('downloads as CSV, one Postgres round trip for every 5 000 reservations', async () => {
    const fleet = await register('fleet');
    await addHistory(fleet.id, HISTORY_CSV_PAGE * 2 + 10);
    const stand = tagged();
    const env = { ...db.env, DATABASE_URL: `${db.url}?application_name=${stand.tag}` };
    const { result, neon } = await stand.count(() => call('GET', '/user-reports?format=csv', { env, token: fleet.token }));
    expect(result.status).toBe(200);
    const ids = csvIds(result.text);
    expect(ids).toHaveLength(HISTORY_CSV_PAGE * 2 + 10);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(neon).toBe(1 + 3); // the session, then pages of 5 000, 5 000 and 10
  });
});

describe('the per-lot rows of /user-reports', () => {
  it('are a page of 100 lots by id, the deleted lots last; a walk meets every lot once, every page with the whole totals', async () => {
    const user = await register('lots-fleet');
    await addLots(130);
    const lots = (await lotIds()).slice(-130);
    await db.sql.query(
      `INSERT INTO reservations (user_id, lot_id, spot_number, vehicle_plate, status, reserved_at, released_at, price_per_hour_cents)
       SELECT $1::int, l, 1, 'L' || l, 'cancelled', now() - interval '1 hour', now() - interval '50 minutes', 100 FROM unnest($2::int[]) l`,
      [user.id, lots],
    );
    await addHistory(user.id, 2); // on a lot deleted since: the row without id, last
    const first = await get('/user-reports', user.token);
    expect(first.status, first.text).toBe(200);
    expect(first.body.per_lot.map((row: any) => row.lot_id)).toEqual(lots.slice(0, 100));
    const walked: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/user-reports${cursor ? `?per_lot_cursor=${cursor}` : ''}`, user.token);
      expect(res.status, res.text).toBe(200);
      expect(res.body.reservations.cancelled).toBe(132);
      walked.push(...res.body.per_lot);
      cursor = res.body.per_lot_next_cursor;
    } while (cursor !== null);
    expect(walked.map((row) => row.lot_id)).toEqual([...lots, null]);
    expect(walked.map((row) => row.reservations)).toEqual([...lots.map(() => 1), 2]);
  });
});

describe('page parameters', () => {
  const foreign = encodeCursor('user-report-recent', [5]);
  it.each([
    ['/reports', `cursor=${foreign}`, 'cursor'],
    ['/reports', 'cursor=not-a-cursor', 'cursor'],
    ['/reports', `cursor=${encodeCursor('report-lots', [2 ** 40])}`, 'cursor'],
    ['/reports', `cursor=${encodeCursor('report-lots', [1.5])}`, 'cursor'],
    ['/user-reports', `cursor=${encodeCursor('report-lots', [5])}`, 'cursor'],
    ['/user-reports', `per_lot_cursor=${foreign}`, 'per_lot_cursor'],
    ['/user-reports', 'limit=0', 'limit'],
    ['/reports', 'limit=501', 'limit'],
  ])('refuses %s?%s with 422 naming the field, before any Redis or Postgres round trip', async (path, query, field) => {
    const user = await makeUser({ role: 'admin' });
    const stand = tagged();
    const { result, neon } = await stand.count(() => call('GET', `${path}?${query}`, { env: stand.env, token: user.token }));
    expect(result.status).toBe(422);
    expect(result.body.error.details).toEqual([expect.objectContaining({ field, in: 'query' })]);
    expect(result.headers.get('x-redis-round-trips')).toBe('0');
    expect(neon).toBe(0);
  });
});
