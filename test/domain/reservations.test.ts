// Reservations: booking, the state machine, cost, who may do what.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql, uniquePlate } from '../helpers/fixtures.ts';

const step = (user: { token: string }, id: number, name: string, body?: unknown) =>
  call('POST', `/reservations/${id}/${name}`, { token: user.token, ...(body === undefined ? {} : { body }) });

describe('booking', () => {
  it('books the lowest-numbered available spot, at the lot price of that moment', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3, price_per_hour_cents: 1200 });
    const first = await book(user, lot.id, 'ab 12-cd');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      user_id: user.id, lot_id: lot.id, spot_number: 1, vehicle_plate: 'AB12CD', status: 'reserved',
      parked_at: null, released_at: null, price_per_hour_cents: 1200, cost_cents: null, payment_method: null,
    });
    expect(Date.parse(first.body.reserved_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await book(user, lot.id)).body.spot_number).toBe(2);
    await step(user, first.body.id, 'cancel');
    expect((await book(user, lot.id)).body.spot_number).toBe(1);
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { price_per_hour_cents: 9999 } });
    expect((await call('GET', `/reservations/${first.body.id}`, { token: user.token })).body.price_per_hour_cents).toBe(1200);
  });

  it('answers lot_full, vehicle_already_parked and not_found', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const plate = uniquePlate();
    expect((await book(user, lot.id, plate)).status).toBe(201);
    const full = await book(user, lot.id);
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('lot_full');
    const other = await makeLot(admin);
    const again = await book(user, other.id, plate.toLowerCase());
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('vehicle_already_parked');
    const missing = await book(user, 999_999_999);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('refuses invalid bodies with 422, and nothing is booked', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin);
    for (const body of [{}, { lot_id: lot.id }, { lot_id: 'x', vehicle_plate: 'AB12' }, { lot_id: lot.id, vehicle_plate: '!' }, { lot_id: lot.id, vehicle_plate: 'AB12', spot: 3 }]) {
      expect((await call('POST', '/reservations', { token: user.token, body })).status).toBe(422);
    }
    expect((await call('POST', '/reservations', { token: user.token, body: { lot_id: lot.id, vehicle_plate: 'AB12' }, headers: { 'idempotency-key': 'bad key with spaces' } })).status).toBe(422);
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.available_spots).toBe(lot.capacity);
  });
});

describe('the state machine', () => {
  it('reserved → parked → completed, with the cost at the booked price', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { price_per_hour_cents: 1000 });
    const r = (await book(user, lot.id)).body;
    const parked = await step(user, r.id, 'park');
    expect(parked.status).toBe(200);
    expect(parked.body).toMatchObject({ status: 'parked', released_at: null });
    // 90 minutes and 1 second parked: 91 minutes → ceil(1000 × 91 / 60) = 1517.
    await sql`UPDATE reservations SET parked_at = now() - interval '90 minutes 1 second', reserved_at = now() - interval '2 hours' WHERE id = ${r.id}`;
    const released = await step(user, r.id, 'release', { payment_method: 'card' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'completed', cost_cents: 1517, payment_method: 'card' });
    expect(Date.parse(released.body.released_at)).toBeGreaterThanOrEqual(Date.parse(released.body.parked_at));
  });

  it('charges at least one minute, and release needs no body', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { price_per_hour_cents: 59 });
    const r = (await book(user, lot.id)).body;
    await step(user, r.id, 'park');
    const released = await step(user, r.id, 'release');
    expect(released.body).toMatchObject({ cost_cents: 1, payment_method: null });
  });

  it('reserved → cancelled frees the spot; every other step is invalid_transition', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const r = (await book(user, lot.id)).body;
    expect((await step(user, r.id, 'release')).body.error.code).toBe('invalid_transition');
    const cancelled = await step(user, r.id, 'cancel');
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cost_cents: null });
    for (const name of ['park', 'release', 'cancel']) {
      const res = await step(user, r.id, name);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('invalid_transition');
    }
    const s = (await book(user, lot.id)).body;
    await step(user, s.id, 'park');
    expect((await step(user, s.id, 'park')).status).toBe(409);
    expect((await step(user, s.id, 'cancel')).status).toBe(409);
    await step(user, s.id, 'release');
    for (const name of ['park', 'release', 'cancel']) expect((await step(user, s.id, name)).status).toBe(409);
  });

  it('refuses a bad payment method with 422 and leaves the reservation parked', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const r = (await book(user, (await makeLot(admin)).id)).body;
    await step(user, r.id, 'park');
    expect((await step(user, r.id, 'release', { payment_method: 'bitcoin' })).status).toBe(422);
    expect((await call('GET', `/reservations/${r.id}`, { token: user.token })).body.status).toBe('parked');
  });
});

describe('who may do what', () => {
  it('the owner parks; an admin may release and cancel but not park; others nothing', async () => {
    const admin = await makeAdmin();
    const owner = await makeUser();
    const stranger = await makeUser();
    const lot = await makeLot(admin, { capacity: 2 });
    const r = (await book(owner, lot.id)).body;
    expect((await step(stranger, r.id, 'park')).status).toBe(403);
    expect((await step(admin, r.id, 'park')).status).toBe(403);
    expect((await step(stranger, r.id, 'cancel')).status).toBe(403);
    expect((await call('GET', `/reservations/${r.id}`, { token: stranger.token })).status).toBe(403);
    expect((await step(owner, r.id, 'park')).status).toBe(200);
    expect((await step(stranger, r.id, 'release')).status).toBe(403);
    expect((await step(admin, r.id, 'release', { payment_method: 'cash' })).status).toBe(200);
    const s = (await book(owner, lot.id)).body;
    expect((await step(admin, s.id, 'cancel')).status).toBe(200);
    expect((await step(owner, 999_999_999, 'park')).status).toBe(404);
  });

  it('lists a user their own reservations, an admin everyone\'s with filters', async () => {
    const admin = await makeAdmin();
    const a = await makeUser();
    const b = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const ra = (await book(a, lot.id)).body;
    const rb = (await book(b, lot.id)).body;
    await step(b, rb.id, 'cancel');
    const mine = await call('GET', '/reservations', { token: a.token });
    expect(mine.body.data.map((r: { id: number }) => r.id)).toEqual([ra.id]);
    expect((await call('GET', `/reservations?user_id=${b.id}`, { token: a.token })).status).toBe(403);
    const byLot = await call('GET', `/reservations?lot_id=${lot.id}`, { token: admin.token });
    expect(byLot.body.data.map((r: { id: number }) => r.id)).toEqual([rb.id, ra.id]);
    const cancelled = await call('GET', `/reservations?lot_id=${lot.id}&status=cancelled`, { token: admin.token });
    expect(cancelled.body.data.map((r: { id: number }) => r.id)).toEqual([rb.id]);
    const ofB = await call('GET', `/reservations?user_id=${b.id}`, { token: admin.token });
    expect(ofB.body.data.map((r: { id: number }) => r.id)).toEqual([rb.id]);
    const first = await call('GET', `/reservations?lot_id=${lot.id}&limit=1`, { token: admin.token });
    expect(first.body.data.map((r: { id: number }) => r.id)).toEqual([rb.id]);
    const second = await call('GET', `/reservations?lot_id=${lot.id}&limit=1&cursor=${first.body.next_cursor}`, { token: admin.token });
    expect(second.body).toMatchObject({ data: [expect.objectContaining({ id: ra.id })], next_cursor: null });
    expect((await call('GET', '/reservations?status=lost', { token: admin.token })).status).toBe(422);
    expect((await call('GET', '/reservations?limit=0', { token: admin.token })).status).toBe(422);
    expect((await call('GET', '/reservations?user_id=99999999999', { token: admin.token })).status).toBe(422);
  });
});
