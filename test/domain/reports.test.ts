import { beforeAll, describe, expect, it } from 'vitest';
import { call, testEnv, type CallResult } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql, unique, type TestUser } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';
import { makeDeps } from '../../src/deps.ts';
import { lastDays, mergeDaily, readDailyMetrics } from '../../src/services/analytics/daily-metrics.ts';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function step(user: TestUser, id: number, name: 'park' | 'release' | 'cancel', body?: unknown) {
  const res = await call('POST', `/reservations/${id}/${name}`, { token: user.token, ...(body ? { body } : {}) });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function booked(user: TestUser, lotId: number): Promise<number> {
  const res = await book(user, lotId);
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Parked for `seconds` already: moves parked_at back (released_at stays null, as the state requires). */
async function parkedFor(id: number, seconds: number) {
  await sql`UPDATE reservations SET parked_at = parked_at - make_interval(secs => ${seconds}) WHERE id = ${id} AND status = 'parked'`;
}

/** Every lot of the per-lot table, walking its pages as a client does. */
async function allLots(token: string, env = testEnv): Promise<any[]> {
  const lots: any[] = [];
  let cursor: string | null = null;
  do {
    const res: CallResult = await call('GET', `/reports?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token, env });
    expect(res.status, res.text).toBe(200);
    lots.push(...res.body.lots);
    cursor = res.body.lots_next_cursor;
  } while (cursor !== null);
  return lots;
}

function csvLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

// One scenario, built through the API: two drivers, three lots (one deleted afterwards), stays of 11 and
// 1 minutes, one cancellation, one car still parked, payments by card, cash, upi and none.
let admin: TestUser, driver: TestUser, other: TestUser;
let lotA: any, lotB: any, lotC: any;
let before: any;
const ids: Record<string, number> = {};

beforeAll(async () => {
  [admin, driver, other] = await Promise.all([makeAdmin(), makeUser(), makeUser()]);
  before = (await call('GET', '/reports', { token: admin.token })).body;
  lotA = await makeLot(admin, { capacity: 3, price_per_hour_cents: 600, name: `=SUM(1,2) ${unique('A')}` });
  lotB = await makeLot(admin, { capacity: 2, price_per_hour_cents: 1200 });
  lotC = await makeLot(admin, { capacity: 1, price_per_hour_cents: 300 });

  ids.long = await booked(driver, lotA.id);
  await step(driver, ids.long, 'park');
  await parkedFor(ids.long, 630); // 10.5 min → 11 min → ceil(600 × 11 / 60) = 110
  await step(driver, ids.long, 'release', { payment_method: 'card' });
  ids.cancelled = await booked(driver, lotA.id);
  await step(driver, ids.cancelled, 'cancel');
  ids.noPayment = await booked(driver, lotB.id);
  await step(driver, ids.noPayment, 'park');
  await step(driver, ids.noPayment, 'release'); // 1 min at 1200 → 20, no payment method

  ids.cash = await booked(other, lotA.id);
  await step(other, ids.cash, 'park');
  await step(other, ids.cash, 'release', { payment_method: 'cash' }); // 1 min at 600 → 10
  ids.stillParked = await booked(other, lotB.id);
  await step(other, ids.stillParked, 'park');
  ids.deletedLot = await booked(other, lotC.id);
  await step(other, ids.deletedLot, 'park');
  await step(other, ids.deletedLot, 'release', { payment_method: 'upi' }); // 1 min at 300 → 5
  expect((await call('DELETE', `/parking-lots/${lotC.id}`, { token: admin.token })).status).toBe(204);
});

describe('GET /reports', () => {
  it('gives the per-lot occupancy and revenue of each lot', async () => {
    const lots = await allLots(admin.token);
    const a = lots.find((l: any) => l.lot_id === lotA.id);
    const b = lots.find((l: any) => l.lot_id === lotB.id);
    expect(a).toEqual({ lot_id: lotA.id, name: lotA.name, capacity: 3, available: 3, reserved: 0, occupied: 0, held: 0, completed_reservations: 2, revenue_cents: 120 });
    expect(b).toEqual({ lot_id: lotB.id, name: lotB.name, capacity: 2, available: 1, reserved: 0, occupied: 1, held: 0, completed_reservations: 1, revenue_cents: 20 });
    expect(lots.some((l: any) => l.lot_id === lotC.id)).toBe(false);
  });

  it('adds our reservations and revenue to the totals, a deleted lot included', async () => {
    const { totals } = (await call('GET', '/reports', { token: admin.token })).body;
    expect(totals.users).toBeGreaterThanOrEqual(3); // the admin and the two drivers
    expect(totals.parking_lots).toBeGreaterThanOrEqual(2);
    expect(totals.spots).toBeGreaterThanOrEqual(5);
    expect(totals.reservations.completed).toBeGreaterThanOrEqual(before.totals.reservations.completed + 4);
    expect(totals.reservations.cancelled).toBeGreaterThanOrEqual(before.totals.reservations.cancelled + 1);
    expect(totals.reservations.parked).toBeGreaterThanOrEqual(1);
    expect(totals.revenue_cents).toBeGreaterThanOrEqual(before.totals.revenue_cents + 110 + 20 + 10 + 5);
  });

  it('gives 30 UTC days, oldest first, today with our bookings and revenue', async () => {
    const { daily } = (await call('GET', '/reports', { token: admin.token })).body;
    expect(daily).toHaveLength(30);
    expect(daily.map((d: any) => d.day)).toEqual(Array.from({ length: 30 }, (_, i) => daysAgo(29 - i)));
    const last = daily[29];
    const then = before.daily[29];
    expect(last.day).toBe(today());
    expect(last.reservations).toBeGreaterThanOrEqual(then.reservations + 6);
    expect(last.revenue_cents).toBeGreaterThanOrEqual(then.revenue_cents + 145);
    expect(daily.every((d: any) => Number.isInteger(d.reservations) && Number.isInteger(d.revenue_cents))).toBe(true);
  });

  it('splits completed reservations by payment method, none included', async () => {
    const { payment_methods: after } = (await call('GET', '/reports', { token: admin.token })).body;
    expect(after.map((m: any) => m.payment_method)).toEqual(['card', 'cash', 'upi', null]);
    const grew = (i: number) => ({ count: after[i].count - before.payment_methods[i].count, cents: after[i].revenue_cents - before.payment_methods[i].revenue_cents });
    expect(grew(0).count).toBeGreaterThanOrEqual(1);
    expect(grew(0).cents).toBeGreaterThanOrEqual(110);
    expect(grew(1).cents).toBeGreaterThanOrEqual(10);
    expect(grew(2).cents).toBeGreaterThanOrEqual(5);
    expect(grew(3).cents).toBeGreaterThanOrEqual(20);
  });

  it('includes the Redis counters and the daily metrics, today live', async () => {
    const { analytics } = (await call('GET', '/reports', { token: admin.token })).body;
    expect(analytics.available).toBe(true);
    expect(analytics.total_reservations).toBeGreaterThanOrEqual(before.analytics.total_reservations + 6);
    expect(analytics.reservations_cancelled).toBeGreaterThanOrEqual(before.analytics.reservations_cancelled + 1);
    expect(analytics.parking_lots_created).toBeGreaterThanOrEqual(before.analytics.parking_lots_created + 3);
    expect(analytics.parking_lots_deleted).toBeGreaterThanOrEqual(1);
    expect(analytics.total_api_calls).toBeGreaterThan(before.analytics.total_api_calls);
    expect(analytics.endpoint_calls['POST /reservations']).toBeGreaterThanOrEqual(6);
    expect(analytics.endpoint_calls['POST /reservations/:id/park']).toBeGreaterThanOrEqual(5);
    expect(analytics.response_codes['201']).toBeGreaterThanOrEqual(6);
    expect(Object.values(analytics.response_codes).every((n) => (n as number) > 0)).toBe(true);
    expect(analytics.cache_hit_rate === null || (analytics.cache_hit_rate >= 0 && analytics.cache_hit_rate <= 1)).toBe(true);
    expect(analytics.active_users).toBeGreaterThanOrEqual(3);
    for (const metric of ['logins', 'registrations', 'reservations']) {
      expect(analytics.daily_metrics[metric]).toHaveLength(30);
      expect(analytics.daily_metrics[metric][29].day).toBe(today());
    }
    expect(analytics.daily_metrics.reservations[29].value).toBeGreaterThanOrEqual(before.analytics.daily_metrics.reservations[29].value + 6);
    expect(analytics.daily_metrics.registrations[29].value).toBeGreaterThanOrEqual(3);
  });

  it('downloads the per-lot table as CSV, formulas neutralised', async () => {
    const res = await call('GET', '/reports?format=csv', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="parkedge-lots-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csvLines(res.text);
    expect(lines[0]).toBe('lot_id,name,capacity,available,reserved,occupied,held,completed_reservations,revenue_cents');
    expect(lines).toContain(`${lotA.id},"'${lotA.name}",3,3,0,0,0,2,120`);
    expect(lines).toContain(`${lotB.id},${lotB.name},2,1,0,1,0,1,20`);
  });

  it('still answers when Redis is down, with the stored daily metrics and analytics marked unavailable', async () => {
    const day = daysAgo(25);
    const metric = 'logins';
    const inserted = await sql`INSERT INTO daily_metrics (day, metric, value) VALUES (${day}, ${metric}, 7) ON CONFLICT DO NOTHING RETURNING day`;
    try {
      const [row] = await sql`SELECT value FROM daily_metrics WHERE day = ${day} AND metric = ${metric}`;
      const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
      const res = await call('GET', '/reports', { token: admin.token, env });
      expect(res.status, res.text).toBe(200);
      expect(Object.keys(res.body.analytics).sort()).toEqual(['available', 'daily_metrics']);
      expect(res.body.analytics.available).toBe(false);
      const point = res.body.analytics.daily_metrics.logins.find((p: any) => p.day === day);
      expect(point.value).toBe(Number(row!.value));
      expect((await allLots(admin.token, env)).find((l: any) => l.lot_id === lotA.id).revenue_cents).toBe(120);
    } finally {
      if (inserted.length > 0) await sql`DELETE FROM daily_metrics WHERE day = ${day} AND metric = ${metric}`;
    }
  });

  it('costs one Postgres statement and one Redis round trip of its own', async () => {
    const stand = tagged();
    await call('GET', '/reports', { token: admin.token, env: stand.env }); // the session is cached from here on
    const { result, redis, neon } = await stand.count(() => call('GET', '/reports', { token: admin.token, env: stand.env }));
    expect(result.status).toBe(200);
    expect(result.body.analytics.available).toBe(true);
    // The gate's round trip, the report's (beside the SQL statement), the counters after the response.
    expect(redis).toBe(3);
    expect(neon).toBe(1);
  });
});

describe('GET /user-reports', () => {
  it("sums up the caller's reservations by status, minutes, money and lot", async () => {
    const res = await call('GET', '/user-reports', { token: driver.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.reservations).toEqual({ reserved: 0, parked: 0, completed: 2, cancelled: 1 });
    expect(res.body.minutes_parked).toBe(12);
    expect(res.body.spent_cents).toBe(130);
    expect(res.body.per_lot).toEqual([
      { lot_id: lotA.id, name: lotA.name, reservations: 2, minutes_parked: 11, spent_cents: 110 },
      { lot_id: lotB.id, name: lotB.name, reservations: 1, minutes_parked: 1, spent_cents: 20 },
    ]);
    expect(res.body.recent.map((r: any) => r.id)).toEqual([ids.noPayment, ids.cancelled, ids.long]);
    expect(res.body.recent[2]).toMatchObject({ user_id: driver.id, lot_id: lotA.id, status: 'completed', cost_cents: 110, payment_method: 'card' });
  });

  it('keeps a deleted lot as a row without id or name, and shows the caller nothing of others', async () => {
    const res = await call('GET', '/user-reports', { token: other.token });
    expect(res.body.reservations).toEqual({ reserved: 0, parked: 1, completed: 2, cancelled: 0 });
    expect(res.body.spent_cents).toBe(15);
    expect(res.body.per_lot).toEqual([
      { lot_id: lotA.id, name: lotA.name, reservations: 1, minutes_parked: 1, spent_cents: 10 },
      { lot_id: lotB.id, name: lotB.name, reservations: 1, minutes_parked: 0, spent_cents: 0 },
      { lot_id: null, name: null, reservations: 1, minutes_parked: 1, spent_cents: 5 },
    ]);
    expect(res.body.recent.every((r: any) => r.user_id === other.id)).toBe(true);
    expect(res.body.recent.map((r: any) => r.id)).toEqual([ids.deletedLot, ids.stillParked, ids.cash]);
  });

  it('answers zeros and empty lists for a driver without reservations', async () => {
    const fresh = await makeUser();
    const res = await call('GET', '/user-reports', { token: fresh.token });
    expect(res.body).toEqual({ reservations: { reserved: 0, parked: 0, completed: 0, cancelled: 0 }, minutes_parked: 0, spent_cents: 0, per_lot: [], per_lot_next_cursor: null, recent: [], recent_next_cursor: null });
    const csv = await call('GET', '/user-reports?format=csv', { token: fresh.token });
    expect(csvLines(csv.text)).toHaveLength(1);
  });

  it('lists the 20 newest as recent, and every reservation in the CSV history', async () => {
    const busy = await makeUser();
    await sql`
      INSERT INTO reservations (user_id, lot_id, spot_number, vehicle_plate, status, reserved_at, released_at, price_per_hour_cents)
      SELECT ${busy.id}, ${lotA.id}, 1, 'HIST' || g, 'cancelled', now() - make_interval(hours => g), now() - make_interval(hours => g), 600
      FROM generate_series(1, 23) g`;
    const res = await call('GET', '/user-reports', { token: busy.token });
    expect(res.body.reservations.cancelled).toBe(23);
    expect(res.body.recent).toHaveLength(20);
    const csv = await call('GET', '/user-reports?format=csv', { token: busy.token });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="parkedge-my-reservations-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csvLines(csv.text);
    expect(lines).toHaveLength(24);
    expect(lines[0]).toBe('id,user_id,lot_id,spot_number,vehicle_plate,status,reserved_at,parked_at,released_at,price_per_hour_cents,cost_cents,payment_method');
    const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(lines.slice(1).every((line) => line.split(',')[1] === String(busy.id))).toBe(true);
  });

  it("downloads the caller's history as CSV, one column per field", async () => {
    const csv = await call('GET', '/user-reports?format=csv', { token: driver.token });
    expect(csv.status).toBe(200);
    const lines = csvLines(csv.text);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(new RegExp(`^${ids.long},${driver.id},${lotA.id},1,[A-Z0-9]+,completed,\\d{4}-[^,]+Z,\\d{4}-[^,]+Z,\\d{4}-[^,]+Z,600,110,card$`));
    expect(lines[1]).toMatch(new RegExp(`^${ids.noPayment},.*,1200,20,$`));
  });
});

describe('report errors', () => {
  it.each(['/reports?format=xml', '/user-reports?format=pdf', '/user-reports?format='])('answers 422 for a bad format: %s', async (path) => {
    const res = await call('GET', path, { token: admin.token });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details[0]).toMatchObject({ field: 'format', in: 'query' });
  });
  it.each(['/reports', '/reports?format=csv', '/user-reports', '/user-reports?format=csv'])('answers 503, not a broken download, when Postgres is down: %s', async (path) => {
    const stand = tagged();
    expect((await call('GET', '/auth/me', { token: admin.token, env: stand.env })).status).toBe(200); // caches the session
    await stand.configure('neon', { fault: 'refuse' });
    try {
      const res = await call('GET', path, { token: admin.token, env: stand.env });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('database_unavailable');
    } finally {
      await stand.configure('neon', { fault: 'none' });
    }
  });
});

describe('report security', () => {
  it.each(['/reports', '/reports?format=csv', '/user-reports', '/user-reports?format=csv'])('answers 401 to an anonymous caller: %s', async (path) => {
    const res = await call('GET', path);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it.each(['/reports', '/reports?format=csv'])('answers 403 to a driver: %s', async (path) => {
    const res = await call('GET', path, { token: driver.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.text).not.toContain(lotA.name);
  });
});

describe('daily metrics: history joined with the live counters', () => {
  const days = ['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04'];
  const history = [
    { day: '2025-03-01', metric: 'logins', value: 4 },
    { day: '2025-03-02', metric: 'logins', value: 9 },
    { day: '2025-02-28', metric: 'logins', value: 99 },
  ];

  it('takes stored days from Postgres, days not yet compacted from Redis, the larger where both hold one', () => {
    const live = new Map([
      ['daily_logins:2025-03-02', 11], // compacted at 9, then late increments
      ['daily_logins:2025-03-03', 6], // compaction has not run yet
      ['daily_reservations:2025-03-04', 2],
    ]);
    const merged = mergeDaily(days, history, live);
    expect(merged.logins).toEqual([
      { day: '2025-03-01', value: 4 },
      { day: '2025-03-02', value: 11 },
      { day: '2025-03-03', value: 6 },
      { day: '2025-03-04', value: 0 },
    ]);
    expect(merged.reservations.map((p) => p.value)).toEqual([0, 0, 0, 2]);
    expect(merged.registrations.map((p) => p.value)).toEqual([0, 0, 0, 0]);
  });

  it('uses the history alone without Redis', () => {
    expect(mergeDaily(days, history, null).logins.map((p) => p.value)).toEqual([4, 9, 0, 0]);
  });

  it('reads the series on their own for the dashboard, today live', async () => {
    const series = await readDailyMetrics(makeDeps(testEnv), 7);
    expect(series.registrations.map((p) => p.day)).toEqual(lastDays(7));
    expect(series.registrations[6]!.value).toBeGreaterThanOrEqual(3); // our three sign-ups
    expect(series.reservations[6]!.value).toBeGreaterThanOrEqual(6);
  });

  it('counts the window back from today, oldest first', () => {
    expect(lastDays(3, new Date('2025-03-01T00:30:00Z'))).toEqual(['2025-02-27', '2025-02-28', '2025-03-01']);
  });
});
