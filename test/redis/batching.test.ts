// REDIS_BATCHING=off (set only by `npm run bench`): every Redis command is a round trip of its own, one after
// the other, and the answers are the same as with batching on — only the number of round trips changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, type TestUser } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

let admin: TestUser;
beforeAll(async () => {
  admin = await makeAdmin();
});

describe('REDIS_BATCHING', () => {
  it('off: a cached lot read answers the same, with one round trip per command instead of one per tick', async () => {
    const lot = await makeLot(admin);
    const on = tagged();
    const off = tagged();
    const offEnv = { ...off.env, REDIS_BATCHING: 'off' };
    await call('GET', `/parking-lots/${lot.id}`, { env: on.env }); // fills the cache
    const batched = await on.count(() => call('GET', `/parking-lots/${lot.id}`, { env: on.env }));
    const alone = await off.count(() => call('GET', `/parking-lots/${lot.id}`, { env: offEnv }));
    expect(alone.result.status).toBe(200);
    expect(alone.result.body).toEqual(batched.result.body);
    // Batched: the gate's round trip and the one after the response (README, "The Redis layer"); no query.
    expect(batched).toMatchObject({ redis: 2, neon: 0 });
    // Alone: the session-less gate still reads the rate limit and the cache, and the counters follow one by one.
    expect(alone.neon).toBe(0);
    expect(alone.redis).toBeGreaterThanOrEqual(5);
  });

  it('off: a signed-in read and a booking behave as with batching on', async () => {
    const off = tagged();
    const offEnv = { ...off.env, REDIS_BATCHING: 'off' };
    const user = await makeUser({ env: offEnv });
    const me = await call('GET', '/auth/me', { env: offEnv, token: user.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    const lot = await makeLot(admin, { capacity: 2 });
    const booked = await call('POST', '/reservations', { env: offEnv, token: user.token, body: { lot_id: lot.id, vehicle_plate: 'BATCH1' } });
    expect(booked.status).toBe(201);
    const read = await call('GET', `/parking-lots/${lot.id}`, { env: offEnv });
    expect(read.body.available_spots).toBe(1);
  });

  it('a value other than on or off is named as a misconfiguration', async () => {
    const res = await call('GET', '/health', { env: { ...tagged().env, REDIS_BATCHING: 'sometimes' } });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toContain('REDIS_BATCHING must be on or off');
  });
});
