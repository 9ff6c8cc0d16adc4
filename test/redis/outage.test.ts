// Surviving Redis: dead, hanging, and back again. Every endpoint answers as with Redis (no cache, no limits,
// no counters) except /health/redis; after a failure the isolate stops calling Redis for the cool-down, then
// tries again by itself. And a Postgres outage: a fast 503 database_unavailable, cached reads still served.
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env.ts';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, uniquePlate } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

// Long enough that the requests made while the circuit is open all fall inside it, on a busy machine too.
const COOLDOWN_MS = 2000;

async function everyHotEndpoint(env: Env, token: string, lotId: number) {
  const results = [
    await call('GET', '/parking-lots', { env }),
    await call('GET', `/parking-lots/${lotId}`, { env }),
    await call('GET', '/auth/me', { env, token }),
    await call('POST', '/reservations', { env, token, body: { lot_id: lotId, vehicle_plate: uniquePlate() } }),
    await call('GET', '/reservations', { env, token }),
  ];
  return results;
}

describe('Redis unreachable', () => {
  it('dead: every endpoint answers as with Redis, without waiting, and /health/redis is 503', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const results = await everyHotEndpoint(env, user.token, lot.id);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 201, 200]);
    expect((await call('GET', `/parking-lots/${lot.id}`, { env })).body.available_spots).toBe(9);
    for (const r of results) expect(r.elapsedMs).toBeLessThan(1500);
    expect(results.every((r) => r.headers.get('ratelimit-limit') === null)).toBe(true);
    expect((await call('GET', '/health/redis', { env })).status).toBe(503);
    const login = await call('POST', '/auth/login', { env, body: { email: user.email, password: user.password } });
    expect(login.status).toBe(200);
  });

  it('hanging: one request pays the timeout, the next ones skip Redis, and it comes back by itself', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const scope = tagged();
    const env = { ...scope.env, REDIS_COOLDOWN_MS: String(COOLDOWN_MS), REDIS_TIMEOUT_MS: '500' };
    await call('GET', `/parking-lots/${lot.id}`, { env }); // warm: isolate checked, cache filled
    await scope.configure('redis', { fault: 'hang' });

    const first = await call('GET', `/parking-lots/${lot.id}`, { env });
    expect(first.status).toBe(200);
    expect(first.elapsedMs).toBeLessThan(2000);
    const { result: during, redis } = await scope.count(() => everyHotEndpoint(env, user.token, lot.id));
    expect(during.map((r) => r.status)).toEqual([200, 200, 200, 201, 200]);
    expect(redis).toBe(0); // the circuit is open: nobody waited on Redis
    expect((await call('GET', '/health/redis', { env })).status).toBe(503);

    await scope.configure('redis', { fault: 'none' });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    const { redis: after } = await scope.count(async () => {
      await call('GET', `/parking-lots/${lot.id}`, { env });
      await call('GET', `/parking-lots/${lot.id}`, { env });
    });
    expect(after).toBeGreaterThan(0);
    expect((await call('GET', '/health/redis', { env })).status).toBe(200);
    // The first request after the recovery applies what writes could not clear meanwhile (the booking's lot),
    // the next one fills the cache again, and from then on reads are served from it.
    await call('GET', `/parking-lots/${lot.id}`, { env });
    const cachedAgain = await scope.count(() => call('GET', `/parking-lots/${lot.id}`, { env }));
    expect(cachedAgain.neon).toBe(0);
  });

  it('refusing connections mid-test: no 5xx, and recovery without a restart', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const scope = tagged();
    const env = { ...scope.env, REDIS_COOLDOWN_MS: String(COOLDOWN_MS) };
    await call('GET', '/auth/me', { env, token: user.token });
    await scope.configure('redis', { fault: 'refuse' });
    const during = await everyHotEndpoint(env, user.token, lot.id);
    expect(during.every((r) => r.status < 500)).toBe(true);
    await scope.configure('redis', { fault: 'none' });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    await call('GET', '/auth/me', { env, token: user.token });
    expect((await call('GET', '/health/redis', { env })).body.status).toBe('ok');
  });
});

describe('Postgres unreachable', () => {
  it('answers 503 database_unavailable fast, and still serves cached reads', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin);
    await call('GET', `/parking-lots/${lot.id}`);
    await call('GET', '/auth/me', { token: user.token });
    const env = { ...testEnv, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/gone' };
    const cached = await call('GET', `/parking-lots/${lot.id}`, { env });
    expect(cached.status).toBe(200);
    expect(cached.body.id).toBe(lot.id);
    expect((await call('GET', '/auth/me', { env, token: user.token })).status).toBe(200);
    const write = await call('POST', '/reservations', { env, token: user.token, body: { lot_id: lot.id, vehicle_plate: uniquePlate() } });
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('database_unavailable');
    expect(write.text).not.toMatch(/SELECT|INSERT|postgres:\/\//i);
    expect(write.elapsedMs).toBeLessThan(3000);
    // Nothing half-written: the failed booking left the lot as it was.
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.available_spots).toBe(lot.capacity);
    expect((await call('GET', '/health', { env })).status).toBe(503);
  });

  it('a database that hangs costs at most the database timeout', async () => {
    const user = await makeUser();
    const scope = tagged();
    await scope.configure('neon', { fault: 'hang' });
    const env = { ...scope.env, DATABASE_TIMEOUT_MS: '700' };
    const res = await call('GET', '/reservations', { env, token: user.token });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('database_unavailable');
    expect(res.elapsedMs).toBeLessThan(3000);
    await scope.configure('neon', { fault: 'none' });
  });
});
