// Made-up tokens (`pe_{id}_{43 characters}`) claim a user they cannot prove. They must neither lift nor spend
// that user's quota, and a flood of them from one IP costs Postgres no more queries than that IP's anonymous
// limit: the token is only taken to Postgres after the request was charged to the client IP.
import { describe, expect, it } from 'vitest';
import { call, randomIp, testEnv } from '../helpers/http.ts';
import { makeUser, redisClient } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const forgedFor = (userId: number) => `pe_${userId}_${crypto.randomUUID().replaceAll('-', '').padEnd(43, 'x')}`;

describe('a forged token for a real user id', () => {
  it('gives back nothing that was not charged: a user at their limit stays at it', async () => {
    const user = await makeUser();
    const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '5' };
    for (let i = 0; i < 5; i++) expect((await call('GET', '/reservations', { env, token: user.token })).status).toBe(200);
    expect((await call('GET', '/reservations', { env, token: user.token })).status).toBe(429);
    // 20 forged-token requests for their id, from other IPs, while the user is at the limit.
    const forged = await Promise.all(Array.from({ length: 20 }, () => call('GET', '/reservations', { env, token: forgedFor(user.id), ip: randomIp() })));
    expect(forged.every((r) => r.status === 401)).toBe(true);
    const after = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/reservations', { env, token: user.token })));
    expect(after.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
  });

  it('spends none of the quota of the user it names', async () => {
    const user = await makeUser();
    const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '5' };
    for (let i = 0; i < 3; i++) expect((await call('GET', '/reservations', { env, token: user.token })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await call('GET', '/reservations', { env, token: forgedFor(user.id), ip: randomIp() })).status).toBe(401);
    const rest = [];
    for (let i = 0; i < 3; i++) rest.push((await call('GET', '/reservations', { env, token: user.token })).status);
    expect(rest).toEqual([200, 200, 429]);
  });
});

describe('a refused token', () => {
  it("leaves the user's cached sessions and entry as they were, stale or absent", async () => {
    const user = await makeUser();
    const redis = redisClient();
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200);
    // A second sign-in leaves the cached session map without its session: the map is stale, not wrong.
    const second = await call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
    expect(second.status).toBe(200);
    const stale = await redis.get(`user_session:${user.id}`);
    expect(stale).not.toBeNull();
    expect((await call('GET', '/auth/me', { token: forgedFor(user.id), ip: randomIp() })).status).toBe(401);
    expect(await redis.get(`user_session:${user.id}`)).toEqual(stale);

    await redis.del(`user_session:${user.id}`, `user:${user.id}`);
    expect((await call('GET', '/auth/me', { token: forgedFor(user.id), ip: randomIp() })).status).toBe(401);
    expect(await redis.exists(`user_session:${user.id}`, `user:${user.id}`)).toBe(0);

    // The token that is proven fills both.
    expect((await call('GET', '/auth/me', { token: second.body.token })).status).toBe(200);
    expect(await redis.exists(`user_session:${user.id}`, `user:${user.id}`)).toBe(2);
  });
});

describe('a flood of forged tokens from one IP', () => {
  it('costs at most the anonymous limit in Postgres queries, and does not lock out real users of that IP', async () => {
    const scope = tagged();
    const ip = randomIp();
    const env = { ...scope.env, RATE_LIMIT_ANONYMOUS_PER_HOUR: '10' };
    const user = await makeUser();
    await call('GET', '/auth/me', { env, ip, token: user.token }); // the session is cached from here on
    const flood = await scope.count(async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push((await call('GET', '/auth/me', { env, ip, token: forgedFor(100_000 + i) })).status);
      return statuses;
    });
    expect(flood.result.filter((s) => s === 401)).toHaveLength(10);
    expect(flood.result.filter((s) => s === 429)).toHaveLength(90);
    expect(flood.neon).toBeLessThanOrEqual(10);
    // A real user behind the same IP, whose session the cache proves, is not charged to the IP.
    expect((await call('GET', '/auth/me', { env, ip, token: user.token })).status).toBe(200);
  });
});
