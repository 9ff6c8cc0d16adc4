// The counters of the contract, on a Redis database of their own (no other test file increments them
// meanwhile), so their exact values can be asserted: what happened is counted once, what did not is not.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, redisClient, type TestUser, uniquePlate } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.ISOLATED_REDIS_URL };
const redis = redisClient(testEnv.ISOLATED_REDIS_URL);
const today = new Date().toISOString().slice(0, 10);

async function counts(names: string[]): Promise<Record<string, number>> {
  const values = await redis.mget<(string | null)[]>(...names);
  return Object.fromEntries(names.map((name, i) => [name, Number(values[i] ?? 0)]));
}

/** The change of each counter over `work`. */
async function delta(names: string[], work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await counts(names);
  await work();
  const after = await counts(names);
  return Object.fromEntries(names.map((n) => [n, after[n]! - before[n]!]));
}

let admin: TestUser;
beforeAll(async () => {
  admin = await makeAdmin();
});

describe('API counters', () => {
  it('count a call by its route pattern, never by its raw path, with its status code', async () => {
    const lot = await makeLot(admin);
    const names = ['total_api_calls', 'api_calls:parking_lots:get', 'endpoint_calls:GET /parking-lots/:id', 'response_codes:200', 'response_codes:404'];
    const d = await delta(names, async () => {
      await call('GET', `/parking-lots/${lot.id}`, { env });
      await call('GET', '/parking-lots/999999999', { env });
    });
    expect(d).toEqual({ total_api_calls: 2, 'api_calls:parking_lots:get': 2, 'endpoint_calls:GET /parking-lots/:id': 2, 'response_codes:200': 1, 'response_codes:404': 1 });
    const [, raw] = await redis.scan(0, { match: `endpoint_calls:*${lot.id}*`, count: 10_000 });
    expect(raw).toEqual([]);
  });

  it('count user reads under api_calls:users:get', async () => {
    const d = await delta(['api_calls:users:get', 'endpoint_calls:GET /users/:id'], () => call('GET', `/users/${admin.id}`, { env, token: admin.token }));
    expect(d).toEqual({ 'api_calls:users:get': 1, 'endpoint_calls:GET /users/:id': 1 });
  });

  it("write all of one request's increments in a single pipeline, after the response", async () => {
    const scope = tagged();
    const scopedEnv = { ...env, UPSTASH_REDIS_REST_TOKEN: scope.env.UPSTASH_REDIS_REST_TOKEN };
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 5 });
    const served = async () => {
      const stats = await fetch(`${testEnv.ISOLATED_REDIS_URL}/__control/stats?tag=${scope.tag}`, { headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` } });
      return ((await stats.json()) as { requests: number }).requests;
    };
    // This endpoint's stand-in learns the SHAs of the flagged scripts from their first EVAL (a NOSCRIPT first).
    await call('POST', '/reservations', { env: scopedEnv, token: user.token, body: { lot_id: lot.id, vehicle_plate: uniquePlate() } });
    const before = await served();
    const res = await call('POST', '/reservations', { env: scopedEnv, token: user.token, body: { lot_id: lot.id, vehicle_plate: uniquePlate() } });
    // Counted on the isolated endpoint by tag: the gate's round trip and the settling one before the response,
    // 1 after (the 6 counters in it).
    expect(res.headers.get('x-redis-round-trips')).toBe('2');
    expect((await served()) - before).toBe(3);
  });
});

describe('business and user counters', () => {
  it('count a booking once, and a failed booking not at all', async () => {
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const names = ['total_reservations', `daily_reservations:${today}`, 'reservations_cancelled'];
    const d = await delta(names, async () => {
      const ok = await call('POST', '/reservations', { env, token: user.token, body: { lot_id: lot.id, vehicle_plate: uniquePlate() } });
      expect((await call('POST', '/reservations', { env, token: user.token, body: { lot_id: lot.id, vehicle_plate: uniquePlate() } })).status).toBe(409);
      expect((await call('POST', '/reservations', { env, token: user.token, body: { lot_id: 999_999_999, vehicle_plate: uniquePlate() } })).status).toBe(404);
      await call('POST', `/reservations/${ok.body.id}/cancel`, { env, token: user.token });
      expect((await call('POST', `/reservations/${ok.body.id}/cancel`, { env, token: user.token })).status).toBe(409);
    });
    expect(d).toEqual({ total_reservations: 1, [`daily_reservations:${today}`]: 1, reservations_cancelled: 1 });
  });

  it('count registrations, logins, failed logins (not), logouts', async () => {
    const email = `${crypto.randomUUID()}@parkedge.test`;
    const names = ['total_registrations', `daily_registrations:${today}`, 'users_created', 'total_logins', `daily_logins:${today}`, 'total_logouts'];
    const d = await delta(names, async () => {
      const reg = await call('POST', '/auth/register', { env, body: { email, password: 'long-enough', name: 'C' } });
      expect((await call('POST', '/auth/register', { env, body: { email, password: 'long-enough', name: 'C' } })).status).toBe(409);
      expect((await call('POST', '/auth/login', { env, body: { email, password: 'wrong-password' } })).status).toBe(401);
      const login = await call('POST', '/auth/login', { env, body: { email, password: 'long-enough' } });
      await call('POST', '/auth/logout', { env, token: login.body.token });
      await call('POST', '/auth/logout', { env, token: reg.body.token });
    });
    expect(d).toEqual({ total_registrations: 1, [`daily_registrations:${today}`]: 1, users_created: 1, total_logins: 1, [`daily_logins:${today}`]: 1, total_logouts: 2 });
  });

  it('count users and lots created and deleted', async () => {
    const names = ['users_created', 'users_deleted', 'parking_lots_created', 'parking_lots_deleted'];
    const d = await delta(names, async () => {
      const u = await call('POST', '/users', { env, token: admin.token, body: { email: `${crypto.randomUUID()}@parkedge.test`, password: 'long-enough', name: 'D' } });
      await call('DELETE', `/users/${u.body.id}`, { env, token: admin.token });
      await call('DELETE', `/users/${u.body.id}`, { env, token: admin.token }); // 404: not counted
      const lot = await call('POST', '/parking-lots', { env, token: admin.token, body: { name: 'L', address: 'A', pin_code: '560001', price_per_hour_cents: 1, capacity: 1 } });
      await call('DELETE', `/parking-lots/${lot.body.id}`, { env, token: admin.token });
    });
    expect(d).toEqual({ users_created: 1, users_deleted: 1, parking_lots_created: 1, parking_lots_deleted: 1 });
  });

  it('keep active_users: added at sign-in, removed when the last session ends', async () => {
    const user = await makeUser();
    const login = await call('POST', '/auth/login', { env, body: { email: user.email, password: user.password } });
    expect(await redis.sismember('active_users', String(user.id))).toBe(1);
    await call('POST', '/auth/logout', { env, token: login.body.token });
    expect(await redis.sismember('active_users', String(user.id))).toBe(1); // the registration session lives on
    await call('POST', '/auth/logout', { env, token: user.token });
    expect(await redis.sismember('active_users', String(user.id))).toBe(0);
  });
});

describe('monitoring counters', () => {
  it('count every cache lookup as a hit or a miss, and every refusal as a rate-limit violation', async () => {
    const lot = await makeLot(admin);
    const d = await delta(['cache_hits', 'cache_misses'], async () => {
      await call('GET', `/parking-lots/${lot.id}`, { env });
      await call('GET', `/parking-lots/${lot.id}`, { env });
    });
    expect(d).toEqual({ cache_misses: 1, cache_hits: 1 });
    const limited = { ...env, RATE_LIMIT_ANONYMOUS_PER_HOUR: '1' };
    const ip = '198.18.0.7';
    const v = await delta(['rate_limit_violations'], async () => {
      await call('GET', '/parking-lots', { env: limited, ip });
      await call('GET', '/parking-lots', { env: limited, ip });
      await call('GET', '/parking-lots', { env: limited, ip });
    });
    expect(v).toEqual({ rate_limit_violations: 2 });
  });
});
