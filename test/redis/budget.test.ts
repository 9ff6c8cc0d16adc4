// The round-trip budget of the hot endpoints: at most ONE Redis round trip before the response (session,
// rate limit and cache read together), one after it (counters, fills, releases together), and no Postgres
// query at all on a cache hit. The stand-ins count what they serve for this test's tag; the app reports how
// many Redis round trips the caller waited for (X-Redis-Round-Trips, development only).
import { beforeAll, describe, expect, it } from 'vitest';
import { call, type CallOptions } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, redisClient, type TestUser, uniquePlate } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';
import { keys } from '../../src/redis/keys.ts';

const scope = tagged();
let user: TestUser;
let lotId: number;

async function measure(method: string, path: string, options: CallOptions = {}) {
  let redisBeforeResponse = -1;
  const { result, redis, neon } = await scope.count(() => call(method, path, { ...options, env: scope.env }));
  redisBeforeResponse = Number(result.headers.get('x-redis-round-trips'));
  return { status: result.status, redisBefore: redisBeforeResponse, redisAfter: redis - redisBeforeResponse, redisTotal: redis, postgres: neon };
}

beforeAll(async () => {
  const admin = await makeAdmin();
  user = await makeUser();
  lotId = (await makeLot(admin, { capacity: 20 })).id;
  // Warm up: the isolate's first request checks for pending invalidations; scripts get loaded; caches filled.
  for (let i = 0; i < 2; i++) {
    await call('GET', `/parking-lots/${lotId}`, { env: scope.env });
    await call('GET', '/parking-lots', { env: scope.env });
    await call('GET', '/auth/me', { env: scope.env, token: user.token });
  }
  await call('POST', '/reservations', { env: scope.env, token: user.token, body: { lot_id: lotId, vehicle_plate: uniquePlate() } });
  await call('GET', `/parking-lots/${lotId}`, { env: scope.env });
  await call('GET', '/parking-lots', { env: scope.env });
});

describe('round trips per request', () => {
  it('cached GET /parking-lots/:id: 1 Redis round trip before the response, 0 Postgres', async () => {
    const m = await measure('GET', `/parking-lots/${lotId}`);
    expect(m).toEqual({ status: 200, redisBefore: 1, redisAfter: 1, redisTotal: 2, postgres: 0 });
  });

  it('cached GET /parking-lots: 1 before, 0 Postgres', async () => {
    const m = await measure('GET', '/parking-lots');
    expect(m).toEqual({ status: 200, redisBefore: 1, redisAfter: 1, redisTotal: 2, postgres: 0 });
  });

  it('GET /auth/me with a cached session: 1 before, 0 Postgres', async () => {
    const m = await measure('GET', '/auth/me', { token: user.token });
    expect(m).toEqual({ status: 200, redisBefore: 1, redisAfter: 1, redisTotal: 2, postgres: 0 });
  });

  // A write settles the cache entries it changed after its commit and before its answer (the lot's own entry
  // written through, the list cleared): the gate's round trip, the Postgres one, then that one.
  it('POST /reservations: the gate\'s Redis round trip, 1 Postgres round trip, then the cache settled', async () => {
    const m = await measure('POST', '/reservations', { token: user.token, body: { lot_id: lotId, vehicle_plate: uniquePlate() } });
    expect(m).toEqual({ status: 201, redisBefore: 2, redisAfter: 1, redisTotal: 3, postgres: 1 });
  });

  it('POST /reservations with an Idempotency-Key: still 1 Postgres round trip (one batch)', async () => {
    const m = await measure('POST', '/reservations', { token: user.token, body: { lot_id: lotId, vehicle_plate: uniquePlate() }, headers: { 'idempotency-key': crypto.randomUUID() } });
    expect(m).toMatchObject({ status: 201, redisBefore: 2, postgres: 1 });
  });

  it('an uncached lot read: 1 before, 1 Postgres, the fill after the response', async () => {
    // a write no longer leaves a hole (it stores the lot's new state): the entry expires, as its TTL would
    await redisClient().del(keys.lot(lotId));
    await redisClient().incr(keys.cacheVersion(keys.lot(lotId)));
    const m = await measure('GET', `/parking-lots/${lotId}`);
    expect(m).toEqual({ status: 200, redisBefore: 1, redisAfter: 1, redisTotal: 2, postgres: 1 });
  });
});
