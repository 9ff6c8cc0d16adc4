// A request the gate or validation refuses does no work: it clears no cache entry, bumps no version, queues no
// pending invalidation and makes no Postgres query. Only its answer is counted.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, redisClient, sql } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const redis = redisClient();

/** The cached value and its version, as Redis holds them. */
async function cacheState(key: string) {
  const [value, version] = await redis.mget<(string | null)[]>(key, `cache_version:${key}`);
  return { value, version };
}

describe('refused requests leave the cache alone', () => {
  it('POST /auth/register with {} (422) keeps users:all', async () => {
    const admin = await makeAdmin();
    await call('GET', '/users', { token: admin.token }); // fills users:all after the response
    const before = await cacheState('users:all');
    expect(before.value).not.toBeNull();
    expect((await call('POST', '/auth/register', { body: {} })).status).toBe(422);
    expect(await cacheState('users:all')).toEqual(before);
  });

  it('PATCH /parking-lots/:id from a non-admin (403) or anonymous (401) keeps the lot cached', async () => {
    const lot = await makeLot(await makeAdmin());
    await call('GET', `/parking-lots/${lot.id}`);
    const key = `parking_lot:${lot.id}`;
    const before = await cacheState(key);
    expect(before.value).not.toBeNull();
    const user = await makeUser();
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: user.token, body: { name: 'Mine now' } })).status).toBe(403);
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { body: { name: 'Mine now' } })).status).toBe(401);
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: user.token })).status).toBe(403);
    expect(await cacheState(key)).toEqual(before);
  });

  it('a rate-limited write (429) keeps what it would have changed', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 5 });
    const user = await makeUser();
    const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '1' };
    const body = (plate: string) => ({ lot_id: lot.id, vehicle_plate: plate });
    expect((await call('POST', '/reservations', { env, token: user.token, body: body('RL1') })).status).toBe(201);
    await call('GET', `/parking-lots/${lot.id}`);
    const before = await cacheState(`parking_lot:${lot.id}`);
    expect(before.value).not.toBeNull();
    expect((await call('POST', '/reservations', { env, token: user.token, body: body('RL2') })).status).toBe(429);
    expect(await cacheState(`parking_lot:${lot.id}`)).toEqual(before);
  });
});

describe('refused requests while Redis is down', () => {
  it('queue no pending invalidations and make no Postgres query', async () => {
    const scope = tagged();
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const user = await makeUser();
    const env = { ...scope.env, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const pending = async () =>
      (await sql`SELECT count(*)::int AS n FROM pending_invalidations WHERE key IN (${`parking_lot:${lot.id}`}, ${`user:${user.id}`})`)[0]!.n as number;
    const before = await pending();
    const invalid = await scope.count(async () => [
      await call('PATCH', `/parking-lots/${lot.id}`, { env, body: { name: 'x' } }),
      await call('PATCH', `/parking-lots/${lot.id}`, { env, token: admin.token, body: { capacity: 0 } }),
      await call('PATCH', `/users/${user.id}`, { env, token: user.token, body: { name: '' } }),
      await call('POST', '/auth/register', { env, body: { email: 'not-an-email' } }),
    ]);
    expect(invalid.result.map((r) => r.status)).toEqual([401, 422, 422, 422]);
    expect(invalid.neon).toBe(0); // refused before the gate's first lookup
    // Refused by the gate once the caller is known (their session is not cached while Redis is down, so it is
    // proven in Postgres first: the one query such a refusal needs).
    const forbidden = [
      await call('PATCH', `/parking-lots/${lot.id}`, { env, token: user.token, body: { name: 'x' } }),
      await call('DELETE', `/users/${user.id}`, { env, token: user.token }),
    ];
    expect(forbidden.map((r) => r.status)).toEqual([403, 403]);
    expect(await pending()).toBe(before);
  });
});
