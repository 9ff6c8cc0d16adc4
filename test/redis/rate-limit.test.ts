// Rate limits: sliding windows of @upstash/ratelimit under `rate_limit`, per user per endpoint, per client IP
// for anonymous callers, with RateLimit-* headers on every answer and Retry-After on a 429.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, redisClient } from '../helpers/fixtures.ts';

describe('per user per endpoint', () => {
  it('lets the limit through, then 429 with Retry-After and RateLimit-* headers', async () => {
    const user = await makeUser();
    const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '3' };
    for (const remaining of [2, 1, 0]) {
      const res = await call('GET', '/auth/me', { env, token: user.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(remaining));
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const refused = await call('GET', '/auth/me', { env, token: user.token });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    // Another endpoint, and another user, have windows of their own.
    expect((await call('GET', '/reservations', { env, token: user.token })).status).toBe(200);
    expect((await call('GET', '/auth/me', { env, token: (await makeUser()).token })).status).toBe(200);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redisClient().scan(cursor, { match: `rate_limit:${user.id}:GET /auth/me:*`, count: 1000 });
      cursor = String(next);
      found.push(...batch);
    } while (cursor !== '0');
    expect(found.length).toBeGreaterThan(0);
  });

  it('is 50 per hour by default', async () => {
    const user = await makeUser();
    const res = await call('GET', '/auth/me', { token: user.token });
    expect(res.headers.get('ratelimit-limit')).toBe('50');
    expect(res.headers.get('ratelimit-remaining')).toBe('49');
  });

  it('charges made-up tokens to the client IP like anonymous requests', async () => {
    const env = { ...testEnv, RATE_LIMIT_ANONYMOUS_PER_HOUR: '3' };
    const ip = '198.51.100.201';
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call('GET', '/auth/me', { env, ip, token: `pe_424242_${'C'.repeat(43)}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  });

  it('does not count a request whose token turns out to be invalid against that user', async () => {
    const user = await makeUser();
    const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '2' };
    const forged = `pe_${user.id}_${'B'.repeat(43)}`;
    for (let i = 0; i < 5; i++) expect((await call('GET', '/auth/me', { env, token: forged })).status).toBe(401);
    expect((await call('GET', '/auth/me', { env, token: user.token })).status).toBe(200);
    expect((await call('GET', '/auth/me', { env, token: user.token })).status).toBe(200);
  });
});

describe('anonymous callers', () => {
  it('are limited per client IP (CF-Connecting-IP) per route, 100 per hour by default', async () => {
    const env = { ...testEnv, RATE_LIMIT_ANONYMOUS_PER_HOUR: '2' };
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    expect((await call('GET', '/parking-lots', { env, ip })).status).toBe(200);
    expect((await call('GET', '/parking-lots', { env, ip })).status).toBe(200);
    const refused = await call('GET', '/parking-lots', { env, ip });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await call('GET', '/parking-lots', { env, ip: '203.0.113.9' })).status).toBe(200);
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    expect((await call('GET', `/parking-lots/${lot.id}`, { env, ip })).status).toBe(200);
    expect((await call('GET', '/parking-lots')).headers.get('ratelimit-limit')).toBe('100');
  });

  it('never limit /health and /health/redis', async () => {
    const env = { ...testEnv, RATE_LIMIT_ANONYMOUS_PER_HOUR: '1' };
    for (let i = 0; i < 5; i++) {
      expect((await call('GET', '/health/redis', { env, ip: '198.51.100.250' })).status).toBe(200);
      expect((await call('GET', '/health', { env, ip: '198.51.100.250' })).status).toBe(200);
    }
  });
});
