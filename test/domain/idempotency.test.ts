// Idempotency-Key on bookings: a retry gets the first answer; concurrent retries book once; per user; 24 h;
// another body is refused; all of it with Redis down too.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql, unique, uniquePlate } from '../helpers/fixtures.ts';

const key = () => unique('idem-');

describe('Idempotency-Key', () => {
  it('a retry returns the first status and body, byte for byte, without booking again', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const plate = uniquePlate();
    const k = key();
    const first = await book(user, lot.id, plate, { 'idempotency-key': k });
    expect(first.status).toBe(201);
    await call('POST', `/reservations/${first.body.id}/park`, { token: user.token });
    const retry = await book(user, lot.id, plate, { 'idempotency-key': k });
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await sql`SELECT count(*)::int AS n FROM reservations WHERE lot_id = ${lot.id}`)[0]).toEqual({ n: 1 });
  });

  it('replays a refusal too', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    await book(user, lot.id);
    const k = key();
    const plate = uniquePlate();
    const full = await book(user, lot.id, plate, { 'idempotency-key': k });
    expect(full.status).toBe(409);
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 2 } });
    const retry = await book(user, lot.id, plate, { 'idempotency-key': k });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('lot_full');
  });

  it('concurrent retries book once and all get the same answer', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 5 });
    const plate = uniquePlate();
    const k = key();
    const results = await Promise.all(Array.from({ length: 10 }, () => book(user, lot.id, plate, { 'idempotency-key': k })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect((await sql`SELECT count(*)::int AS n FROM reservations WHERE lot_id = ${lot.id}`)[0]).toEqual({ n: 1 });
  });

  it('refuses the same key with another body: 422 idempotency_key_reused', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const k = key();
    expect((await book(user, lot.id, uniquePlate(), { 'idempotency-key': k })).status).toBe(201);
    const reused = await book(user, lot.id, uniquePlate(), { 'idempotency-key': k });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('keys are per user', async () => {
    const admin = await makeAdmin();
    const [a, b] = [await makeUser(), await makeUser()];
    const lot = await makeLot(admin, { capacity: 3 });
    const k = key();
    const ra = await book(a, lot.id, uniquePlate(), { 'idempotency-key': k });
    const rb = await book(b, lot.id, uniquePlate(), { 'idempotency-key': k });
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(ra.body.id).not.toBe(rb.body.id);
  });

  it('a key older than 24 hours books anew', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const k = key();
    const first = await book(user, lot.id, uniquePlate(), { 'idempotency-key': k });
    await call('POST', `/reservations/${first.body.id}/cancel`, { token: user.token });
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = ${user.id} AND key = ${k}`;
    const later = await book(user, lot.id, uniquePlate(), { 'idempotency-key': k });
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
  });

  it('holds with Redis down', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const plate = uniquePlate();
    const k = key();
    const results = await Promise.all(Array.from({ length: 4 }, () => call('POST', '/reservations', { env, token: user.token, body: { lot_id: lot.id, vehicle_plate: plate }, headers: { 'idempotency-key': k } })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const retry = await call('POST', '/reservations', { env, token: user.token, body: { lot_id: lot.id, vehicle_plate: plate }, headers: { 'idempotency-key': k } });
    expect(retry.text).toBe(results[0]!.text);
  });
});
