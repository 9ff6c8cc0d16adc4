// The waitlist under races, through the HTTP API on real PostgreSQL, with the invariants checked in SQL after
// every round: 20 drivers wait at a full lot while its spots are freed one or two at a time, each release raced by
// direct bookings and by the accepts of the running offers — no spot handed out twice (a held spot is never
// booked by anyone else), no freed spot left free while someone waits, every waiter offered in the order they
// joined. And joins racing a release: the joiner is either refused (the spot was free: book it) or queued and
// offered the spot; never queued beside a free spot.
//
// Real PostgreSQL only (as races.test.ts): embedded PGlite runs one statement at a time, so nothing could race.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, testEnv, type CallResult } from '../helpers/http.ts';
import { makeAdmin, makeUser, sql, type TestUser, uniquePlate } from '../helpers/fixtures.ts';

const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '1000000' };
const WAITERS = 20;
const CAPACITY = 4;
const JOIN_ROUNDS = 30;

let admin: TestUser;
const api = (method: string, path: string, user: TestUser, body?: unknown) => call(method, path, { env, token: user.token, body });
const createLot = async (capacity: number) => (await api('POST', '/parking-lots', admin, { name: 'Queue', address: '1 Queue Road', pin_code: '560001', price_per_hour_cents: 600, capacity })).body;
const book = (user: TestUser, lotId: number) => api('POST', '/reservations', user, { lot_id: lotId, vehicle_plate: uniquePlate() });
const outcome = (res: CallResult) => (res.status < 300 ? res.status : `${res.status} ${res.body?.error?.code}`);

type EntryRow = { id: number; status: string; spot_id: number | null; offered_at: string | null; reservation_id: number | null };

/** The lot's invariants with a waitlist; returns its entries in queue order. */
async function checkLot(lotId: number): Promise<EntryRow[]> {
  const spots = await sql`
    SELECT s.id, s.number, s.status::text,
           (SELECT count(*)::int FROM reservations r WHERE r.spot_id = s.id AND r.status IN ('reserved', 'parked')) AS active,
           (SELECT count(*)::int FROM waitlist_entries w WHERE w.spot_id = s.id AND w.status = 'offered') AS offers
    FROM spots s WHERE s.lot_id = ${lotId} ORDER BY s.number`;
  const entries = (await sql`
    SELECT id, status::text, spot_id, offered_at, reservation_id FROM waitlist_entries WHERE lot_id = ${lotId} ORDER BY id`) as EntryRow[];
  for (const spot of spots) {
    // A held spot has exactly one offer and no reservation; a taken one exactly one reservation and no offer.
    const expected = spot.status === 'held' ? { active: 0, offers: 1 } : spot.status === 'available' ? { active: 0, offers: 0 } : { active: 1, offers: 0 };
    expect({ active: spot.active, offers: spot.offers }, `spot ${spot.number} (${spot.status})`).toEqual(expected);
  }
  // No freed spot is left free while someone waits.
  const free = spots.filter((s) => s.status === 'available').length;
  if (entries.some((e) => e.status === 'waiting')) expect(free, 'free spots while drivers wait').toBe(0);
  // The queue is served in order: every entry offered (or past it) joined before every entry still waiting.
  const firstWaiting = entries.findIndex((e) => e.status === 'waiting');
  if (firstWaiting >= 0) expect(entries.slice(firstWaiting).map((e) => e.status)).toEqual(entries.slice(firstWaiting).map(() => 'waiting'));
  // The API's counts are the spots' (cached or not).
  const lot = (await call('GET', `/parking-lots/${lotId}`, { env })).body;
  const count = (status: string) => spots.filter((s) => s.status === status).length;
  expect(lot).toMatchObject({ available_spots: free, reserved_spots: count('reserved'), occupied_spots: count('occupied'), held_spots: count('held') });
  return entries;
}

beforeAll(async () => {
  const [{ version }] = (await sql`SELECT version()`) as [{ version: string }];
  if (/pglite|emscripten/i.test(version)) {
    throw new Error(`The waitlist race tests need real PostgreSQL (this stack runs ${version}, one statement at a time: nothing could race).`);
  }
  admin = await makeAdmin();
});

describe('the waitlist under races', () => {
  it(`${WAITERS} waiters at a full lot, spots freed one or two at a time, direct bookings and accepts in between: served once each, in order`, async () => {
    const lot = await createLot(CAPACITY);
    const owners = await Promise.all(Array.from({ length: CAPACITY }, () => makeUser()));
    const bookers = await Promise.all(Array.from({ length: 3 }, () => makeUser()));
    const waiters = await Promise.all(Array.from({ length: WAITERS }, () => makeUser()));
    // Who holds each active reservation, oldest first: the next to be freed.
    const active: { id: number; user: TestUser; parked: boolean }[] = [];
    for (const [i, owner] of owners.entries()) {
      const res = await book(owner, lot.id);
      expect(res.status).toBe(201);
      const parked = i % 2 === 0 && (await api('POST', `/reservations/${res.body.id}/park`, owner)).status === 200;
      active.push({ id: res.body.id, user: owner, parked });
    }
    const queue: { id: number; user: TestUser }[] = [];
    for (const waiter of waiters) {
      const res = await api('POST', `/parking-lots/${lot.id}/waitlist`, waiter, { vehicle_plate: uniquePlate() });
      expect(res.status).toBe(201);
      queue.push({ id: res.body.id, user: waiter });
    }
    let offered: { id: number; user: TestUser }[] = [];
    let served = 0;
    let round = 0;
    const tally: Record<string, number> = {};
    while (served < WAITERS || offered.length > 0) {
      const frees = Math.min(round % 3 === 2 ? 2 : 1, WAITERS - served, active.length);
      const freeing = active.splice(0, frees);
      const requests: (() => Promise<CallResult>)[] = [
        ...freeing.map((r) => () => api('POST', `/reservations/${r.id}/${r.parked ? 'release' : 'cancel'}`, r.user)),
        ...(frees > 0 ? bookers.map((b) => () => book(b, lot.id)) : []),
        ...offered.map((o) => () => api('POST', `/waitlist/${o.id}/accept`, o.user)),
      ];
      const order = requests.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      const started: Promise<CallResult>[] = [];
      for (const i of order) started[i] = requests[i]!();
      const answers = await Promise.all(started);
      const [released, booked, accepted] = [answers.slice(0, frees), answers.slice(frees, frees + (frees > 0 ? bookers.length : 0)), answers.slice(answers.length - offered.length)];
      for (const a of answers) tally[String(outcome(a))] = (tally[String(outcome(a))] ?? 0) + 1;
      expect(released.map((r) => r.status)).toEqual(freeing.map(() => 200));
      // Every freed spot was held for a waiter: a direct booking never gets it.
      expect(booked.map(outcome)).toEqual(booked.map(() => '409 lot_full'));
      // Every running offer is accepted, whatever raced it, as a reservation on its held spot.
      expect(accepted.map((a) => a.status)).toEqual(offered.map(() => 201));
      accepted.forEach((a, i) => active.push({ id: a.body.id, user: offered[i]!.user, parked: false }));

      const entries = await checkLot(lot.id);
      // The spots freed this round were offered to the next waiters, in the order they joined.
      const next = queue.slice(served, served + frees);
      const offeredNow = entries.filter((e) => e.status === 'offered').map((e) => e.id);
      expect(offeredNow).toEqual(next.map((w) => w.id));
      offered = next;
      served += frees;
      round += 1;
    }
    console.log(`waitlist race: ${round} rounds`, tally);
    // Each waiter got exactly one reservation, in the lot, in queue order of their offers.
    const entries = await checkLot(lot.id);
    expect(entries.map((e) => e.status)).toEqual(queue.map(() => 'accepted'));
    const offerTimes = entries.map((e) => Date.parse(e.offered_at!));
    expect(offerTimes).toEqual([...offerTimes].sort((a, b) => a - b));
    const reservations = await sql`
      SELECT r.user_id, count(*)::int AS n FROM reservations r WHERE r.lot_id = ${lot.id} AND r.user_id = ANY(${waiters.map((w) => w.id)}) GROUP BY r.user_id`;
    expect(reservations.map((r) => r.n)).toEqual(waiters.map(() => 1));
  });

  it(`a join racing the release of the last spot: refused beside the free spot, or queued and offered it (${JOIN_ROUNDS} rounds)`, async () => {
    const owner = await makeUser();
    const tally: Record<string, number> = {};
    for (let round = 0; round < JOIN_ROUNDS; round++) {
      const lot = await createLot(1);
      const reservation = (await book(owner, lot.id)).body;
      const joiner = await makeUser();
      const race = [
        () => api('POST', `/reservations/${reservation.id}/cancel`, owner),
        () => api('POST', `/parking-lots/${lot.id}/waitlist`, joiner, { vehicle_plate: uniquePlate() }),
      ];
      // Either may go first, by a few milliseconds or none, so that both outcomes happen.
      const lag = (round % 5) * 4;
      const later = (send: () => Promise<CallResult>) => new Promise<CallResult>((resolve) => setTimeout(() => resolve(send()), lag));
      const started = round % 2 === 0 ? [race[0]!(), later(race[1]!)] : [later(race[0]!), race[1]!()];
      const [cancelled, joined] = await Promise.all(started);
      expect(cancelled!.status).toBe(200);
      const key = String(outcome(joined!));
      tally[key] = (tally[key] ?? 0) + 1;
      const entries = await checkLot(lot.id);
      if (joined!.status === 201) expect(entries.map((e) => [e.id, e.status])).toEqual([[joined!.body.id, 'offered']]);
      else {
        expect(key).toBe('409 lot_not_full');
        expect(entries).toEqual([]);
        expect((await call('GET', `/parking-lots/${lot.id}`, { env })).body.available_spots).toBe(1);
      }
    }
    console.log(`join × release: ${JOIN_ROUNDS} rounds`, tally);
    // Both sides of the race were seen: joins that came first (queued, offered) and releases that did (refused).
    expect(Object.keys(tally).sort()).toEqual(['201', '409 lot_not_full']);
  });
});
