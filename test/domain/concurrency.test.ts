// Correct under any concurrency: real parallel requests against one lot, one reservation, one key.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql, uniquePlate } from '../helpers/fixtures.ts';

describe('racing requests', () => {
  it('40 simultaneous bookings on a 5-spot lot: 5 reservations on 5 distinct spots, 35 × lot_full', async () => {
    const admin = await makeAdmin();
    const users = await Promise.all(Array.from({ length: 8 }, () => makeUser()));
    const lot = await makeLot(admin, { capacity: 5 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => book(users[i % users.length]!, lot.id, uniquePlate())));
    const booked = results.filter((r) => r.status === 201);
    const full = results.filter((r) => r.status === 409);
    expect(booked).toHaveLength(5);
    expect(full).toHaveLength(35);
    expect(full.every((r) => r.body.error.code === 'lot_full')).toBe(true);
    expect(new Set(booked.map((r) => r.body.spot_number))).toEqual(new Set([1, 2, 3, 4, 5]));
    const rows = await sql`SELECT count(*)::int AS n, count(DISTINCT spot_id)::int AS spots FROM reservations WHERE lot_id = ${lot.id}`;
    expect(rows[0]).toEqual({ n: 5, spots: 5 });
    expect((await call('GET', `/parking-lots/${lot.id}`)).body).toMatchObject({ available_spots: 0, reserved_spots: 5 });
  });

  it('one plate booked 10 times at once on 10 lots: exactly one reservation', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lots = await Promise.all(Array.from({ length: 10 }, () => makeLot(admin, { capacity: 2 })));
    const plate = uniquePlate();
    const results = await Promise.all(lots.map((lot) => book(user, lot.id, plate)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(9);
    expect(refused.every((r) => r.body.error.code === 'vehicle_already_parked')).toBe(true);
  });

  it('cancel against park on one reservation: exactly one wins, and the spot matches the winner', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    for (let round = 0; round < 5; round++) {
      const lot = await makeLot(admin, { capacity: 1 });
      const r = (await book(user, lot.id)).body;
      const [cancelled, parked] = await Promise.all([
        call('POST', `/reservations/${r.id}/cancel`, { token: user.token }),
        call('POST', `/reservations/${r.id}/park`, { token: user.token }),
      ]);
      expect([cancelled.status, parked.status].sort()).toEqual([200, 409]);
      const winner = cancelled.status === 200 ? 'cancelled' : 'parked';
      const spots = (await call('GET', `/parking-lots/${lot.id}/spots`, { token: admin.token })).body.data;
      expect(spots[0].status).toBe(winner === 'cancelled' ? 'available' : 'occupied');
      if (winner === 'parked') await call('POST', `/reservations/${r.id}/release`, { token: user.token });
    }
  });

  it('release against release: one completes, the other is invalid_transition, charged once', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin);
    const r = (await book(user, lot.id)).body;
    await call('POST', `/reservations/${r.id}/park`, { token: user.token });
    const results = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/reservations/${r.id}/release`, { token: admin.token })));
    expect(results.filter((x) => x.status === 200)).toHaveLength(1);
    expect(results.filter((x) => x.status === 409 && x.body.error.code === 'invalid_transition')).toHaveLength(4);
  });
});
