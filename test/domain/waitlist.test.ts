// The waitlist through the HTTP API: joining a full lot, the handover of a freed spot to the head of the queue
// (release, cancellation, capacity raise, leaving with an offer), accepting as a reservation, and who may do what.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, everyRow, makeAdmin, makeLot, makeUser, sql, type TestUser, uniquePlate } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const join = (user: TestUser, lotId: number, plate = uniquePlate()) => call('POST', `/parking-lots/${lotId}/waitlist`, { token: user.token, body: { vehicle_plate: plate } });
const entries = (user: TestUser) => call('GET', '/waitlist', { token: user.token });
const entry = async (user: TestUser, id: number) => (await everyRow('/waitlist', { token: user.token })).find((e) => e.id === id);
const lotOf = async (id: number) => (await call('GET', `/parking-lots/${id}`)).body;

/** A lot of `capacity` spots, all booked by one driver; the reservations in spot order. */
async function fullLot(capacity = 1) {
  const admin = await makeAdmin();
  const owner = await makeUser();
  const lot = await makeLot(admin, { capacity });
  const reservations = [];
  for (let i = 0; i < capacity; i++) reservations.push((await book(owner, lot.id)).body);
  return { admin, owner, lot, reservations };
}

describe('waitlist', () => {
  it('queues drivers at a full lot, holds a freed spot for the head, and the accepted offer is a reservation', async () => {
    const { owner, lot, reservations } = await fullLot(1);
    const [b, c] = await Promise.all([makeUser(), makeUser()]);
    const plate = uniquePlate();
    const joinedB = await join(b, lot.id, plate.toLowerCase());
    expect(joinedB.status).toBe(201);
    expect(joinedB.body).toMatchObject({ lot_id: lot.id, user_id: b.id, vehicle_plate: plate, status: 'waiting', position: 1, spot_number: null, offer_expires_at: null });
    const joinedC = await join(c, lot.id);
    expect(joinedC.body).toMatchObject({ status: 'waiting', position: 2 });

    // The cancellation frees spot 1: it is held for B at once, not available to anyone else.
    const before = Date.now();
    expect((await call('POST', `/reservations/${reservations[0].id}/cancel`, { token: owner.token })).status).toBe(200);
    const offered = await entry(b, joinedB.body.id);
    expect(offered).toMatchObject({ status: 'offered', position: null, spot_number: 1 });
    const lasts = Date.parse(offered.offer_expires_at) - Date.parse(offered.offered_at);
    expect(lasts).toBe(300_000); // WAITLIST_HOLD_SECONDS' default
    expect(Date.parse(offered.offered_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(await lotOf(lot.id)).toMatchObject({ available_spots: 0, reserved_spots: 0, held_spots: 1 });
    expect((await entry(c, joinedC.body.id)).position).toBe(1);
    const direct = await book(c, lot.id);
    expect(direct.status).toBe(409);
    expect(direct.body.error.code).toBe('lot_full');

    const accepted = await call('POST', `/waitlist/${joinedB.body.id}/accept`, { token: b.token });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ user_id: b.id, lot_id: lot.id, spot_number: 1, vehicle_plate: plate, status: 'reserved', price_per_hour_cents: 600 });
    expect(await entry(b, joinedB.body.id)).toMatchObject({ status: 'accepted', reservation_id: accepted.body.id, spot_number: 1 });
    expect(await lotOf(lot.id)).toMatchObject({ available_spots: 0, reserved_spots: 1, held_spots: 0 });
    // An ordinary reservation: park and release it, and the spot goes to the next in the queue.
    expect((await call('POST', `/reservations/${accepted.body.id}/park`, { token: b.token })).status).toBe(200);
    expect((await call('POST', `/reservations/${accepted.body.id}/release`, { token: b.token, body: { payment_method: 'card' } })).status).toBe(200);
    expect(await entry(c, joinedC.body.id)).toMatchObject({ status: 'offered', spot_number: 1 });
  });

  it('a capacity raise offers the new spots to the queue in order, and leaving with an offer passes it on', async () => {
    const { admin, lot } = await fullLot(1);
    const waiters = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const ids: number[] = [];
    for (const w of waiters) ids.push((await join(w, lot.id)).body.id);
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 3 } })).status).toBe(200);
    expect(await entry(waiters[0]!, ids[0]!)).toMatchObject({ status: 'offered', spot_number: 2 });
    expect(await entry(waiters[1]!, ids[1]!)).toMatchObject({ status: 'offered', spot_number: 3 });
    expect(await entry(waiters[2]!, ids[2]!)).toMatchObject({ status: 'waiting', position: 1 });
    expect(await lotOf(lot.id)).toMatchObject({ capacity: 3, available_spots: 0, held_spots: 2 });
    // A held spot is in use: the lot cannot shrink below it.
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 1 } })).body.error.code).toBe('spots_in_use');

    expect((await call('DELETE', `/waitlist/${ids[0]}`, { token: waiters[0]!.token })).status).toBe(204);
    expect(await entry(waiters[2]!, ids[2]!)).toMatchObject({ status: 'offered', spot_number: 2 });
    const spots = (await call('GET', `/parking-lots/${lot.id}/spots`, { token: admin.token })).body.data;
    expect(spots.map((s: any) => [s.number, s.status, s.waitlist_id])).toEqual([
      [1, 'reserved', null],
      [2, 'held', ids[2]],
      [3, 'held', ids[1]],
    ]);
  });

  it('refuses to queue at a lot with a free spot (book it directly), twice with one plate, and a parked plate', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const open = await makeLot(admin, { capacity: 2 });
    const res = await join(user, open.id);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'lot_not_full', details: { available_spots: 2 } });
    const { lot } = await fullLot(1);
    const other = (await fullLot(1)).lot;
    const plate = uniquePlate();
    expect((await join(user, lot.id, plate)).status).toBe(201);
    expect((await join(user, other.id, plate)).body.error.code).toBe('already_waiting');
    const parkedPlate = uniquePlate();
    expect((await book(user, open.id, parkedPlate)).status).toBe(201);
    expect((await join(user, lot.id, parkedPlate)).body.error.code).toBe('vehicle_already_parked');
    expect((await join(user, 999999999)).status).toBe(404);
    expect((await join(user, lot.id, 'not a plate!')).status).toBe(422);
    expect((await call('POST', `/parking-lots/${lot.id}/waitlist`, { body: { vehicle_plate: uniquePlate() } })).status).toBe(401);
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM waitlist_entries WHERE user_id = ${user.id}`) as [{ n: number }];
    expect(n).toBe(1); // only the one that was accepted
  });

  it('accepting: only an offered entry, in time, by its driver', async () => {
    const { owner, lot, reservations } = await fullLot(1);
    const [waiter, stranger, admin] = await Promise.all([makeUser(), makeUser(), makeAdmin()]);
    const id = (await join(waiter, lot.id)).body.id;
    const early = await call('POST', `/waitlist/${id}/accept`, { token: waiter.token });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'invalid_transition', details: { status: 'waiting' } });
    await call('POST', `/reservations/${reservations[0].id}/cancel`, { token: owner.token });
    expect((await call('POST', `/waitlist/${id}/accept`, { token: stranger.token })).status).toBe(403);
    expect((await call('POST', `/waitlist/${id}/accept`, { token: admin.token })).status).toBe(403);
    expect((await call('POST', '/waitlist/999999999/accept', { token: waiter.token })).status).toBe(404);
    // The offer's time is up (moved back in the database): refused, and nothing booked.
    await sql`UPDATE waitlist_entries SET offered_at = offered_at - interval '1 hour', offer_expires_at = now() - interval '1 second' WHERE id = ${id}`;
    const late = await call('POST', `/waitlist/${id}/accept`, { token: waiter.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('offer_expired');
    expect(await lotOf(lot.id)).toMatchObject({ held_spots: 1, reserved_spots: 0 });
  });

  it("lists only the caller's entries, in pages; others' entries cannot be deleted, an admin's may", async () => {
    const { lot } = await fullLot(1);
    const [a, b, admin] = await Promise.all([makeUser(), makeUser(), makeAdmin()]);
    const own: number[] = [];
    for (let i = 0; i < 3; i++) {
      const other = (await fullLot(1)).lot;
      own.push((await join(a, other.id)).body.id);
    }
    const theirs = (await join(b, lot.id)).body.id;
    const first = await call('GET', '/waitlist?limit=2', { token: a.token });
    expect(first.body.data.map((e: any) => e.id)).toEqual([own[2], own[1]]);
    const second = await call('GET', `/waitlist?limit=2&cursor=${first.body.next_cursor}`, { token: a.token });
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: own[0] })], next_cursor: null });
    expect((await entries(b)).body.data.map((e: any) => e.id)).toEqual([theirs]);
    expect((await call('GET', '/waitlist?cursor=bad', { token: a.token })).status).toBe(422);
    expect((await call('GET', '/waitlist')).status).toBe(401);

    expect((await call('DELETE', `/waitlist/${theirs}`, { token: a.token })).status).toBe(403);
    expect((await entries(b)).body.data).toHaveLength(1);
    expect((await call('DELETE', `/waitlist/${theirs}`, { token: admin.token })).status).toBe(204);
    expect((await call('DELETE', `/waitlist/${theirs}`, { token: b.token })).status).toBe(404);
    expect((await entries(b)).body.data).toEqual([]);
  });

  it("a deleted account's running offer passes to the next waiter, then back to free; the cached lot follows", async () => {
    const { admin, owner, lot, reservations } = await fullLot(1);
    const [a, b] = await Promise.all([makeUser(), makeUser()]);
    expect((await join(a, lot.id)).status).toBe(201);
    const idB = (await join(b, lot.id)).body.id;
    await call('POST', `/reservations/${reservations[0].id}/cancel`, { token: owner.token });
    expect(await lotOf(lot.id)).toMatchObject({ available_spots: 0, held_spots: 1 });
    expect((await call('DELETE', `/users/${a.id}`, { token: admin.token })).status).toBe(204);
    expect(await entry(b, idB)).toMatchObject({ status: 'offered', spot_number: 1 });
    expect((await call('DELETE', `/users/${b.id}`, { token: admin.token })).status).toBe(204);
    expect(await lotOf(lot.id)).toMatchObject({ available_spots: 1, held_spots: 0 });
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM waitlist_entries WHERE lot_id = ${lot.id}`) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('costs: a join 1 Postgres round trip and only the gate’s Redis one; accept and leave 2 and 2 (1 when nothing is settled)', async () => {
    const { owner, lot, reservations } = await fullLot(1);
    const [a, b] = await Promise.all([makeUser(), makeUser()]);
    // One scope, warmed up (its first request checks the cache is trusted): then each request counts alone.
    const scope = tagged();
    await call('GET', '/auth/me', { env: scope.env, token: a.token });
    const measure = async (method: string, path: string, user: TestUser, body?: unknown) => {
      const { result, neon } = await scope.count(() => call(method, path, { env: scope.env, token: user.token, ...(body ? { body } : {}) }));
      return { status: result.status, redisBefore: Number(result.headers.get('x-redis-round-trips')), postgres: neon, id: result.body?.id };
    };
    const joined = await measure('POST', `/parking-lots/${lot.id}/waitlist`, a, { vehicle_plate: uniquePlate() });
    expect(joined).toMatchObject({ status: 201, redisBefore: 1, postgres: 1 });
    const second = await measure('POST', `/parking-lots/${lot.id}/waitlist`, b, { vehicle_plate: uniquePlate() });
    await call('POST', `/reservations/${reservations[0].id}/cancel`, { token: owner.token });
    expect(await measure('POST', `/waitlist/${joined.id}/accept`, a)).toMatchObject({ status: 201, redisBefore: 2, postgres: 2 });
    expect(await measure('DELETE', `/waitlist/${second.id}`, b)).toMatchObject({ status: 204, redisBefore: 1, postgres: 2 });
  });
});
