// Admin changes of a lot racing bookings, reservation steps and each other, ROUNDS times per pair, through the
// HTTP API; after every round the invariants are checked directly in SQL, and both sides of each race: nothing
// handed out twice, nothing refused while it was still free, no 5xx.
//
// Real PostgreSQL only. Embedded PGlite runs one statement at a time: no two requests ever overlap there, so
// every round would pass whatever the locking does. The file refuses to run on it (`.ci/run` and a local
// PostgreSQL on 127.0.0.1:5432 give the suite real PostgreSQL).
import { beforeAll, describe, expect, it } from 'vitest';
import { call, testEnv, type CallResult } from '../helpers/http.ts';
import { makeAdmin, makeUser, sql, type TestUser, uniquePlate } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';
import { CONFLICT_ATTEMPTS } from '../../src/db/retrying-fetch.ts';

const ROUNDS = 50;
// The hourly limit is not under test here: one admin and two users make all of a pair's requests.
const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '1000000' };
let admin: TestUser;
let users: TestUser[];

const api = (method: string, path: string, token: string, body?: unknown) => call(method, path, { env, token, body });
const createLot = async (capacity: number) => (await api('POST', '/parking-lots', admin.token, { name: 'Race', address: '1 Race Road', pin_code: '560001', price_per_hour_cents: 600, capacity })).body;
const bookOn = (lotId: number, user = users[0]!) => api('POST', '/reservations', user.token, { lot_id: lotId, vehicle_plate: uniquePlate() });
const changeCapacity = (lotId: number, capacity: number) => api('PATCH', `/parking-lots/${lotId}`, admin.token, { capacity });
const step = (id: number, name: 'park' | 'release' | 'cancel', user = users[0]!) => api('POST', `/reservations/${id}/${name}`, user.token);

/** Books `n` spots one after the other (spots 1..n), as the arrangement of a round. */
async function bookSpots(lotId: number, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await bookOn(lotId);
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

/** Sends the requests at once, in the given order on even rounds and reversed on odd ones; answers in the given order. */
async function race(round: number, ...requests: (() => Promise<CallResult>)[]): Promise<CallResult[]> {
  const order = requests.map((_, i) => i);
  if (round % 2 === 1) order.reverse();
  const started: Promise<CallResult>[] = [];
  for (const i of order) started[i] = requests[i]!();
  return Promise.all(started);
}

/** How the rounds of a pair came out, printed when it is done. */
function tally(pair: string) {
  const counts: Record<string, number> = {};
  return { add: (key: string) => void (counts[key] = (counts[key] ?? 0) + 1), print: () => console.log(`${pair}: ${ROUNDS} rounds`, counts) };
}

const outcome = (res: CallResult) => (res.status < 300 ? res.status : `${res.status} ${res.body?.error?.code}`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

type SpotRow = { number: number; status: string; active: { status: string; spot_number: number; lot_id: number | null }[] };

/** The invariants of a lot after a round; returns its spots (none once deleted). */
async function checkLot(lotId: number): Promise<SpotRow[]> {
  const [lot] = await sql`SELECT capacity FROM parking_lots WHERE id = ${lotId}`;
  const spots = (await sql`
    SELECT s.number, s.status::text,
           coalesce(json_agg(json_build_object('status', r.status, 'spot_number', r.spot_number, 'lot_id', r.lot_id)) FILTER (WHERE r.id IS NOT NULL), '[]') AS active
    FROM spots s LEFT JOIN reservations r ON r.spot_id = s.id AND r.status IN ('reserved', 'parked')
    WHERE s.lot_id = ${lotId} GROUP BY s.id ORDER BY s.number`) as SpotRow[];
  // Spots are exactly 1..capacity.
  expect(spots.map((s) => s.number)).toEqual(lot ? range(lot.capacity) : []);
  // Every reserved/occupied spot has exactly one active reservation in the matching state, every free one none.
  for (const spot of spots) {
    const expected = spot.status === 'available' ? [] : [{ status: spot.status === 'reserved' ? 'reserved' : 'parked', spot_number: spot.number, lot_id: lotId }];
    expect(spot.active, `spot ${spot.number} (${spot.status})`).toEqual(expected);
  }
  // ...and every active reservation of the lot holds a spot of it (none lost its spot, none outlived its lot).
  const [orphans] = await sql`
    SELECT count(*)::int AS n FROM reservations r LEFT JOIN spots s ON s.id = r.spot_id
    WHERE r.user_id IN (${users[0]!.id}, ${users[1]!.id}) AND (r.lot_id = ${lotId} OR r.lot_id IS NULL) AND r.status IN ('reserved', 'parked')
      AND (s.id IS NULL OR s.lot_id IS DISTINCT FROM r.lot_id)`;
  expect(orphans!.n).toBe(0);
  // The API's availability is exact.
  const read = await api('GET', `/parking-lots/${lotId}`, admin.token);
  if (!lot) expect(read.status).toBe(404);
  else {
    const count = (status: string) => spots.filter((s) => s.status === status).length;
    expect(read.body).toMatchObject({ capacity: lot.capacity, available_spots: count('available'), reserved_spots: count('reserved'), occupied_spots: count('occupied') });
  }
  return spots;
}

beforeAll(async () => {
  const [{ version }] = (await sql`SELECT version()`) as [{ version: string }];
  if (/pglite|emscripten/i.test(version)) {
    throw new Error(`The race tests need real PostgreSQL (this stack runs ${version}, one statement at a time: nothing could race). Start PostgreSQL on 127.0.0.1:5432 or run bash .ci/run.`);
  }
  admin = await makeAdmin();
  users = await Promise.all([makeUser(), makeUser()]);
});

describe(`races, ${ROUNDS} rounds each, invariants checked after every round`, () => {
  it('booking × capacity shrink: the free spots above the new capacity go to the bookings or away, never both', async () => {
    const rounds = tally('booking × shrink');
    for (let round = 0; round < ROUNDS; round++) {
      const lot = await createLot(5);
      await bookSpots(lot.id, 3); // 4 and 5 are free: wanted by the bookings and by the shrink to 3
      const [shrink, ...bookings] = await race(round, () => changeCapacity(lot.id, 3), () => bookOn(lot.id, users[0]), () => bookOn(lot.id, users[1]));
      rounds.add(`shrink ${outcome(shrink!)}, bookings ${bookings.map(outcome).join(' / ')}`);
      const spots = await checkLot(lot.id);
      if (shrink!.status === 200) {
        // The shrink found 4 and 5 free, so it came first: both bookings then found the lot full, and it is.
        expect(bookings.map(outcome)).toEqual(['409 lot_full', '409 lot_full']);
        expect(spots.filter((s) => s.status === 'available')).toEqual([]);
      } else {
        // Refused only because a booking held 4 or 5; nothing was removed, so both bookings got a spot.
        expect(outcome(shrink!)).toBe('409 spots_in_use');
        expect(bookings.map((b) => b.status)).toEqual([201, 201]);
        expect(bookings.map((b) => b.body.spot_number).sort()).toEqual([4, 5]);
      }
    }
    rounds.print();
  });

  it('booking × lot delete: the lot is deleted with no booking in it, or every booking gets a spot and the delete is refused', async () => {
    const rounds = tally('booking × delete');
    for (let round = 0; round < ROUNDS; round++) {
      const lot = await createLot(2);
      const [removal, ...bookings] = await race(round, () => api('DELETE', `/parking-lots/${lot.id}`, admin.token), () => bookOn(lot.id, users[0]), () => bookOn(lot.id, users[1]));
      rounds.add(`delete ${outcome(removal!)}, bookings ${bookings.map(outcome).join(' / ')}`);
      const spots = await checkLot(lot.id);
      if (removal!.status === 204) {
        expect(bookings.map(outcome)).toEqual(['404 not_found', '404 not_found']);
      } else {
        expect(outcome(removal!)).toBe('409 spots_in_use');
        expect(bookings.map((b) => b.status)).toEqual([201, 201]);
        expect(spots.map((s) => s.status)).toEqual(['reserved', 'reserved']);
      }
    }
    rounds.print();
  });

  it('capacity shrink × grow (10 → 5 and 10 → 20 at once): both apply, spots stay exactly 1..capacity', async () => {
    const rounds = tally('shrink × grow');
    for (let round = 0; round < ROUNDS; round++) {
      const lot = await createLot(10);
      await bookSpots(lot.id, 1);
      const [shrink, grow] = await race(round, () => changeCapacity(lot.id, 5), () => changeCapacity(lot.id, 20));
      // Nothing above 5 is in use, so neither may be refused.
      expect([outcome(shrink!), outcome(grow!)]).toEqual([200, 200]);
      const spots = await checkLot(lot.id);
      expect([5, 20]).toContain(spots.length);
      rounds.add(`final capacity ${spots.length}`);
      // A later change must not run into spots left behind.
      expect(outcome(await changeCapacity(lot.id, 8))).toBe(200);
      await checkLot(lot.id);
    }
    rounds.print();
  });

  it('cancel and release × capacity shrink: the freed spots are removed only once free, the steps always succeed', async () => {
    const rounds = tally('cancel, release × shrink');
    for (let round = 0; round < ROUNDS; round++) {
      const lot = await createLot(4);
      const [, , third, fourth] = await bookSpots(lot.id, 4);
      expect((await step(fourth!, 'park')).status).toBe(200);
      const [cancelled, released, shrink] = await race(round, () => step(third!, 'cancel'), () => step(fourth!, 'release'), () => changeCapacity(lot.id, 2));
      expect([cancelled!.status, released!.status]).toEqual([200, 200]);
      expect(released!.body.cost_cents).toBe(10); // 1 minute at 600 an hour
      rounds.add(`shrink ${outcome(shrink!)}`);
      const spots = await checkLot(lot.id);
      if (shrink!.status === 200) expect(spots.map((s) => s.status)).toEqual(['reserved', 'reserved']);
      else {
        expect(outcome(shrink!)).toBe('409 spots_in_use');
        expect(spots.map((s) => s.status)).toEqual(['reserved', 'reserved', 'available', 'available']);
      }
    }
    rounds.print();
  });
});

describe('one lock order, and a retry for the deadlock that happens anyway', () => {
  // A writer holding its first lock over a pause, then taking the second: `lotFirst` in the order of capacity
  // changes and deletes (the lot, then its spots), `spotsFirst` in the other one (say, a Worker of the previous
  // deploy still running, or a script). A request sent during the pause has to wait for it.
  const lotFirst = (lotId: number) => [sql`SELECT id FROM parking_lots WHERE id = ${lotId} FOR UPDATE`, sql`SELECT pg_sleep(1)`, sql`SELECT id FROM spots WHERE lot_id = ${lotId} FOR UPDATE`];
  const spotsFirst = (lotId: number) => [sql`SELECT id FROM spots WHERE lot_id = ${lotId} FOR UPDATE`, sql`SELECT pg_sleep(1)`, sql`SELECT id FROM parking_lots WHERE id = ${lotId} FOR UPDATE`];
  const scope = tagged();
  const scopedEnv = { ...scope.env, RATE_LIMIT_PER_HOUR: env.RATE_LIMIT_PER_HOUR };
  const booking = (idempotent: boolean) => (lotId: number) =>
    call('POST', '/reservations', { env: scopedEnv, token: users[1]!.token, body: { lot_id: lotId, vehicle_plate: uniquePlate() }, headers: idempotent ? { 'idempotency-key': crypto.randomUUID() } : {} });
  const shrinkTo1 = (lotId: number) => call('PATCH', `/parking-lots/${lotId}`, { env: scopedEnv, token: admin.token, body: { capacity: 1 } });

  /** The Postgres round trips of `send` alone, then of `send` during the writer's pause. */
  async function againstWriter(writer: typeof lotFirst, send: (lotId: number) => Promise<CallResult>) {
    await send((await createLot(2)).id); // warm: the session cached, so the next ones count the operation only
    const quiet = await scope.count(async () => send((await createLot(2)).id));
    const lot = await createLot(2);
    const held = sql.transaction(writer(lot.id));
    await new Promise((resolve) => setTimeout(resolve, 250)); // it holds its first lock now
    const during = await scope.count(() => send(lot.id));
    await held;
    await checkLot(lot.id);
    return { quiet: quiet.neon, during: during.neon, outcome: outcome(during.result) };
  }

  it.each([
    ['without', false],
    ['with', true],
  ])('a booking (%s Idempotency-Key) waits for a capacity change or delete in flight: no deadlock, one round trip', async (_, idempotent) => {
    const measured = await againstWriter(lotFirst, booking(idempotent));
    expect(measured).toEqual({ quiet: 1, during: 1, outcome: 201 });
  });

  it('a capacity change caught in a deadlock by a writer of the other order is sent again and applies: one more round trip, never a 500', async () => {
    const measured = await againstWriter(spotsFirst, shrinkTo1);
    expect(measured).toEqual({ quiet: 1, during: 2, outcome: 200 });
  });

  it('a conflict that outlasts the retries answers 503 database_unavailable saying to retry, after a few attempts, never a 500', async () => {
    const lot = await createLot(2);
    // PostgreSQL itself aborting every change of this one lot with serialization_failure, as often as asked.
    const name = `races_conflict_${lot.id}`;
    await sql.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$`);
    await sql.query(`CREATE TRIGGER ${name} BEFORE UPDATE ON parking_lots FOR EACH ROW WHEN (OLD.id = ${lot.id}) EXECUTE FUNCTION ${name}()`);
    try {
      const { result, neon } = await scope.count(() => shrinkTo1(lot.id));
      expect(outcome(result)).toBe('503 database_unavailable');
      expect(result.body.error.message).toMatch(/retry/i);
      expect(neon).toBe(CONFLICT_ATTEMPTS);
    } finally {
      await sql.query(`DROP TRIGGER ${name} ON parking_lots`);
      await sql.query(`DROP FUNCTION ${name}()`);
    }
    await checkLot(lot.id);
  });
});

describe('money that cannot overflow', () => {
  const MAX_PRICE = 1_000_000;

  it('a stay of 100 years at the highest price releases, with the exact cost as an exact JSON number', async () => {
    const user = await makeUser();
    const lot = (await api('POST', '/parking-lots', admin.token, { name: 'Dear', address: '1 Gold Street', pin_code: '560001', price_per_hour_cents: MAX_PRICE, capacity: 1 })).body;
    expect(lot.price_per_hour_cents).toBe(MAX_PRICE);
    const reservation = (await bookOn(lot.id, user)).body;
    expect((await step(reservation.id, 'park', user)).status).toBe(200);
    await sql`UPDATE reservations SET reserved_at = reserved_at - interval '100 years', parked_at = parked_at - interval '100 years' WHERE id = ${reservation.id}`;
    const released = await step(reservation.id, 'release', user);
    expect(outcome(released)).toBe(200);
    // The contract's rule, in exact integers: ceil(price × minutes / 60), minutes = max(1, ceil(seconds / 60)).
    const ms = BigInt(Date.parse(released.body.released_at) - Date.parse(released.body.parked_at));
    const minutes = (ms + 59_999n) / 60_000n;
    const expected = (BigInt(MAX_PRICE) * minutes + 59n) / 60n;
    expect(minutes).toBeGreaterThan(52_000_000n);
    expect(BigInt(released.body.cost_cents)).toBe(expected);
    expect(Number.isSafeInteger(released.body.cost_cents)).toBe(true);
    // The spot is free again, and the sums over it are the same exact numbers.
    expect((await api('GET', `/parking-lots/${lot.id}`, admin.token)).body).toMatchObject({ available_spots: 1, occupied_spots: 0 });
    expect((await api('GET', `/reservations/${reservation.id}`, user.token)).body.cost_cents).toBe(released.body.cost_cents);
    const report = (await api('GET', '/user-reports', user.token)).body;
    expect(report).toMatchObject({ spent_cents: released.body.cost_cents, per_lot: [{ lot_id: lot.id, spent_cents: released.body.cost_cents }] });
    // The per-lot table pages (100 lots at first): walk it to this lot.
    const lots: { lot_id: number }[] = [];
    for (let cursor = ''; cursor !== null; ) {
      const page = (await api('GET', `/reports?limit=500${cursor ? `&cursor=${cursor}` : ''}`, admin.token)).body;
      lots.push(...page.lots);
      cursor = page.lots_next_cursor;
    }
    expect(lots.find((row) => row.lot_id === lot.id)).toMatchObject({ revenue_cents: released.body.cost_cents });
  });

  it('a price above 10 000.00 an hour is refused with 422, by the API and by the database; the OpenAPI document states the bound', async () => {
    const lot = await createLot(1);
    const body = { name: 'Too dear', address: '1 Gold Street', pin_code: '560001', price_per_hour_cents: MAX_PRICE + 1, capacity: 1 };
    const created = await api('POST', '/parking-lots', admin.token, body);
    expect(outcome(created)).toBe('422 validation_failed');
    expect(created.body.error.details).toEqual([expect.objectContaining({ field: 'price_per_hour_cents' })]);
    expect(outcome(await api('PATCH', `/parking-lots/${lot.id}`, admin.token, { price_per_hour_cents: MAX_PRICE + 1 }))).toBe('422 validation_failed');
    expect(outcome(await api('PATCH', `/parking-lots/${lot.id}`, admin.token, { price_per_hour_cents: MAX_PRICE }))).toBe(200);
    const refused = await sql`UPDATE parking_lots SET price_per_hour_cents = ${MAX_PRICE + 1} WHERE id = ${lot.id}`.catch((error: { constraint?: string }) => error);
    expect(refused).toMatchObject({ constraint: 'parking_lots_price_range' });
    const schemas = (await call('GET', '/openapi.json')).body.components.schemas;
    for (const name of ['CreateParkingLotRequest', 'UpdateParkingLotRequest']) {
      expect(schemas[name].properties.price_per_hour_cents).toMatchObject({ minimum: 0, maximum: MAX_PRICE, description: expect.stringContaining('100 years') });
    }
  });
});
