// Offers end on time: the lot's Durable Object sets its alarm for the lot's next offer end and lapses it there,
// the spot going to the next in the queue (told as `waitlist.offered` on the live stream), and to nobody once
// the queue is empty. Holds of 2 seconds (WAITLIST_HOLD_SECONDS in the env the entries joined with).
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, everyRow, makeAdmin, makeLot, makeUser, sql, type TestUser, uniquePlate } from '../helpers/fixtures.ts';

const HOLD_SECONDS = 2;
const env = { ...testEnv, WAITLIST_HOLD_SECONDS: String(HOLD_SECONDS) };

async function socket(lotId: number) {
  const res = await worker.fetch(
    new Request(`http://parkedge.test/parking-lots/${lotId}/live`, { headers: { 'cf-connecting-ip': '203.0.113.10', upgrade: 'websocket' } }),
    testEnv,
    createExecutionContext(),
  );
  const ws = res.webSocket!;
  const messages: any[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => {
    messages.push({ ...JSON.parse(String(e.data)), received: Date.now() });
  });
  /** Waits (up to `ms`) for a message that `match` accepts. */
  const until = async (match: (m: any) => boolean, ms = 8000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = messages.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no such message in ${ms} ms; got ${JSON.stringify(messages)}`);
  };
  return { ws, messages, until };
}

const entryOf = async (user: TestUser, id: number) => (await everyRow('/waitlist', { token: user.token })).find((e) => e.id === id);

describe('offers end on time (the lot object’s alarm)', () => {
  it('lapses each offer when its hold ends and offers the spot to the next, then frees it once nobody waits', async () => {
    const admin = await makeAdmin();
    const owner = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const reservation = (await book(owner, lot.id)).body;
    const waiters = await Promise.all([makeUser(), makeUser()]);
    const ids: number[] = [];
    for (const w of waiters) ids.push((await call('POST', `/parking-lots/${lot.id}/waitlist`, { env, token: w.token, body: { vehicle_plate: uniquePlate() } })).body.id);
    const live = await socket(lot.id);
    await live.until((m) => m.type === 'availability');

    expect((await call('POST', `/reservations/${reservation.id}/cancel`, { token: owner.token })).status).toBe(200);
    const first = await live.until((m) => m.type === 'waitlist.offered' && m.waitlist_id === ids[0]);
    expect(first).toMatchObject({ lot_id: lot.id, spot_number: 1 });
    expect(Object.keys(first).sort()).toEqual(['at', 'expires_at', 'lot_id', 'received', 'spot_number', 'type', 'version', 'waitlist_id']);
    const afterCancel = live.messages.find((m) => m.type === 'availability' && m.version === first.version);
    expect(afterCancel).toMatchObject({ available_spots: 0, state: 'full' }); // the held spot is not free
    const offered = await entryOf(waiters[0]!, ids[0]!);
    expect(offered.offer_expires_at).toBe(first.expires_at);
    expect(Date.parse(offered.offer_expires_at) - Date.parse(offered.offered_at)).toBe(HOLD_SECONDS * 1000);

    // Nobody accepts: at the end of the hold the alarm lapses it and the spot is offered to the second waiter.
    const second = await live.until((m) => m.type === 'waitlist.offered' && m.waitlist_id === ids[1]);
    expect(second.version).toBe(first.version + 1);
    expect(second.received).toBeGreaterThanOrEqual(Date.parse(first.expires_at));
    expect(second.received - Date.parse(first.expires_at)).toBeLessThan(2000);
    console.log(`the next offer arrived ${second.received - Date.parse(first.expires_at)} ms after the hold's end`);
    expect(await entryOf(waiters[0]!, ids[0]!)).toMatchObject({ status: 'lapsed', spot_number: 1 });
    expect(await entryOf(waiters[1]!, ids[1]!)).toMatchObject({ status: 'offered', spot_number: 1 });
    const late = await call('POST', `/waitlist/${ids[0]}/accept`, { token: waiters[0]!.token });
    expect(late.body.error.code).toBe('offer_expired');

    // The second lets it lapse too: with nobody left the spot is free again, and the stream says so.
    const freed = await live.until((m) => m.type === 'availability' && m.version === second.version + 1);
    expect(freed).toMatchObject({ available_spots: 1 });
    expect(freed.received).toBeGreaterThanOrEqual(Date.parse(second.expires_at));
    expect(await entryOf(waiters[1]!, ids[1]!)).toMatchObject({ status: 'lapsed' });
    // The lot's cache entry was written through by the object: a read shows the free spot.
    expect((await call('GET', `/parking-lots/${lot.id}`)).body).toMatchObject({ available_spots: 1, held_spots: 0 });
    const [spot] = await sql`SELECT status::text FROM spots WHERE lot_id = ${lot.id}`;
    expect(spot!.status).toBe('available');
    live.ws.close();
  });

  it('an offer accepted in time is a reservation, and the alarm lapses nothing', async () => {
    const admin = await makeAdmin();
    const owner = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const reservation = (await book(owner, lot.id)).body;
    const waiter = await makeUser();
    const id = (await call('POST', `/parking-lots/${lot.id}/waitlist`, { env, token: waiter.token, body: { vehicle_plate: uniquePlate() } })).body.id;
    await call('POST', `/reservations/${reservation.id}/cancel`, { token: owner.token });
    const accepted = await call('POST', `/waitlist/${id}/accept`, { token: waiter.token });
    expect(accepted.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, HOLD_SECONDS * 1000 + 700));
    expect(await entryOf(waiter, id)).toMatchObject({ status: 'accepted', reservation_id: accepted.body.id });
    expect((await call('GET', `/reservations/${accepted.body.id}`, { token: waiter.token })).body.status).toBe('reserved');
  });

  it('an offer past its end that the object was never told of lapses as soon as its driver tries to accept it', async () => {
    const admin = await makeAdmin();
    const owner = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const reservation = (await book(owner, lot.id)).body;
    const waiter = await makeUser();
    const id = (await call('POST', `/parking-lots/${lot.id}/waitlist`, { env, token: waiter.token, body: { vehicle_plate: uniquePlate() } })).body.id;
    // The object learns of a long offer (its alarm then waits an hour)...
    await sql`UPDATE waitlist_entries SET hold_seconds = 3600 WHERE id = ${id}`;
    await call('POST', `/reservations/${reservation.id}/cancel`, { token: owner.token });
    // ...and the offer's end is moved before now behind its back, as if a notification had been lost.
    await sql`UPDATE waitlist_entries SET offer_expires_at = now() - interval '1 second' WHERE id = ${id}`;
    const late = await call('POST', `/waitlist/${id}/accept`, { token: waiter.token });
    expect(late.body.error.code).toBe('offer_expired');
    const deadline = Date.now() + 3000;
    while ((await entryOf(waiter, id)).status !== 'lapsed' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await entryOf(waiter, id)).toMatchObject({ status: 'lapsed' });
    expect((await call('GET', `/parking-lots/${lot.id}`)).body).toMatchObject({ available_spots: 1, held_spots: 0 });
  });

  it('an accept racing the alarm at the end of the hold: booked, or lapsed and passed on — never both (8 rounds)', async () => {
    const admin = await makeAdmin();
    const owner = await makeUser();
    const oneSecond = { ...testEnv, WAITLIST_HOLD_SECONDS: '1' };
    const tally: Record<string, number> = {};
    for (let round = 0; round < 8; round++) {
      const lot = await makeLot(admin, { capacity: 1 });
      const reservation = (await book(owner, lot.id)).body;
      const [first, second] = await Promise.all([makeUser(), makeUser()]);
      const ids: number[] = [];
      // The first is held 1 s, the second the default 300 s (so that it is still offered when looked at).
      for (const [w, hold] of [[first, oneSecond], [second, testEnv]] as const) {
        ids.push((await call('POST', `/parking-lots/${lot.id}/waitlist`, { env: hold, token: w!.token, body: { vehicle_plate: uniquePlate() } })).body.id);
      }
      await call('POST', `/reservations/${reservation.id}/cancel`, { token: owner.token });
      const ends = Date.parse((await entryOf(first!, ids[0]!)).offer_expires_at);
      // Accept from 120 ms before the end to 120 ms after it, as the alarm fires.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ends - Date.now() - 120 + round * 30)));
      const accepted = await call('POST', `/waitlist/${ids[0]}/accept`, { token: first!.token });
      await new Promise((resolve) => setTimeout(resolve, 400)); // the alarm has fired by now
      const [a, b] = [await entryOf(first!, ids[0]!), await entryOf(second!, ids[1]!)];
      const spots = await sql`SELECT status::text FROM spots WHERE lot_id = ${lot.id}`;
      if (accepted.status === 201) {
        expect([a.status, b.status, spots[0]!.status]).toEqual(['accepted', 'waiting', 'reserved']);
      } else {
        expect(accepted.body.error.code).toBe('offer_expired');
        expect([a.status, b.status, spots[0]!.status]).toEqual(['lapsed', 'offered', 'held']);
      }
      tally[String(accepted.status)] = (tally[String(accepted.status)] ?? 0) + 1;
    }
    console.log('accept × lapse at the end of the hold:', tally);
  });
});
