// Parking lots and spots: creation with spots, capacity changes, deletion, live availability.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, everyRow, listsWorld, makeAdmin, makeLot, makeUser } from '../helpers/fixtures.ts';

describe('lots', () => {
  it('creates a lot with spots 1..capacity, readable by anyone with live availability', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 4, latitude: 12.97, longitude: 77.59, price_per_hour_cents: 4000 });
    expect(lot).toMatchObject({ capacity: 4, available_spots: 4, reserved_spots: 0, occupied_spots: 0, latitude: 12.97, price_per_hour_cents: 4000 });
    const spots = await call('GET', `/parking-lots/${lot.id}/spots`, { token: admin.token });
    expect(spots.body.data.map((s: { number: number }) => s.number)).toEqual([1, 2, 3, 4]);
    const anonymous = await call('GET', `/parking-lots/${lot.id}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ ...lot, forecast: null }); // a new lot has no history to forecast from
    expect((await everyRow('/parking-lots')).find((l: { id: number }) => l.id === lot.id)).toEqual(lot);
  });

  it('shows exact availability after every reservation step, cached or not', async () => {
    // In a world of its own, so the lot is on the cached first page (`parking_lots:all`).
    const env = listsWorld;
    const admin = await makeAdmin(env);
    const user = await makeUser({ env });
    const lot = await makeLot(admin, { capacity: 3 }, env);
    const read = async () => (await call('GET', `/parking-lots/${lot.id}`, { env })).body;
    const readAll = async () => (await call('GET', '/parking-lots', { env })).body.data.find((l: { id: number }) => l.id === lot.id);
    await read();
    await readAll(); // both cached now
    const r = await book(user, lot.id, undefined, {}, env);
    expect(await read()).toMatchObject({ available_spots: 2, reserved_spots: 1, occupied_spots: 0 });
    expect(await readAll()).toMatchObject({ available_spots: 2, reserved_spots: 1 });
    await call('POST', `/reservations/${r.body.id}/park`, { token: user.token, env });
    expect(await read()).toMatchObject({ available_spots: 2, reserved_spots: 0, occupied_spots: 1 });
    expect(await readAll()).toMatchObject({ occupied_spots: 1 });
    await call('POST', `/reservations/${r.body.id}/release`, { token: user.token, env });
    expect(await read()).toMatchObject({ available_spots: 3, occupied_spots: 0 });
    expect(await readAll()).toMatchObject({ available_spots: 3 });
  });

  it('edits any field, and a read after the edit shows it', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    await call('GET', `/parking-lots/${lot.id}`);
    const edited = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'Renamed', price_per_hour_cents: 0, latitude: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Renamed', price_per_hour_cents: 0, latitude: null, address: lot.address });
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.name).toBe('Renamed');
  });

  it('grows capacity with new spots, and shrinks only over free high-numbered spots', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const grown = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 5 } });
    expect(grown.body).toMatchObject({ capacity: 5, available_spots: 5 });
    for (let i = 0; i < 4; i++) await book(user, lot.id); // spots 1..4 taken
    const refused = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 3, name: 'Not applied' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('spots_in_use');
    expect((await call('GET', `/parking-lots/${lot.id}`)).body).toMatchObject({ capacity: 5, name: lot.name });
    const shrunk = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 4 } });
    expect(shrunk.status).toBe(200);
    expect(shrunk.body).toMatchObject({ capacity: 4, available_spots: 0, reserved_spots: 4 });
    const spots = await call('GET', `/parking-lots/${lot.id}/spots`, { token: admin.token });
    expect(spots.body.data.map((s: { number: number }) => s.number)).toEqual([1, 2, 3, 4]);
    expect(spots.body.data[0]).toMatchObject({ status: 'reserved', user_id: user.id, reservation_id: expect.any(Number), vehicle_plate: expect.any(String) });
  });

  it('deletes only a lot with no spot reserved or occupied', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin);
    const r = await book(user, lot.id);
    const refused = await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('spots_in_use');
    await call('POST', `/reservations/${r.body.id}/cancel`, { token: user.token });
    await call('GET', `/parking-lots/${lot.id}`); // cached
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token })).status).toBe(204);
    expect((await call('GET', `/parking-lots/${lot.id}`)).status).toBe(404);
    expect((await everyRow('/parking-lots')).map((l: { id: number }) => l.id)).not.toContain(lot.id);
    // The history stays, without its lot.
    expect((await call('GET', `/reservations/${r.body.id}`, { token: user.token })).body).toMatchObject({ lot_id: null, status: 'cancelled' });
  });

  it('answers 422 to invalid fields and 404 to unknown lots', async () => {
    const admin = await makeAdmin();
    for (const body of [
      { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: -1, capacity: 1 },
      { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: 100, capacity: 0 },
      { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: 100, capacity: 5001 },
      { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: 1.5, capacity: 2 },
      { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: 100, capacity: 2, latitude: 91 },
      { name: '', address: 'a', pin_code: '560001', price_per_hour_cents: 100, capacity: 2 },
    ]) {
      const res = await call('POST', '/parking-lots', { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await call('GET', '/parking-lots/999999999')).status).toBe(404);
    expect((await call('GET', '/parking-lots/0')).status).toBe(422);
    expect((await call('PATCH', '/parking-lots/999999999', { token: admin.token, body: { name: 'x' } })).status).toBe(404);
    expect((await call('DELETE', '/parking-lots/999999999', { token: admin.token })).status).toBe(404);
    expect((await call('GET', '/parking-lots/999999999/spots', { token: admin.token })).status).toBe(404);
  });
});
