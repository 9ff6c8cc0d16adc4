// The cache: contract keys and TTLs, exact invalidation, a slow fill that can never overwrite a newer
// invalidation, and never a password hash in Redis.
import { describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, listsWorld, makeAdmin, makeLot, makeUser, redisClient } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const redis = redisClient();

/** The connection string with the tag the Neon stand-in scopes delays by (see helpers/stand-ins.ts). */
function withTag(databaseUrl: string, tag: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', tag);
  return url.toString();
}

describe('cache entries', () => {
  it('uses the contract keys and TTLs', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    await call('GET', `/parking-lots/${lot.id}`);
    await call('GET', '/parking-lots');
    await call('GET', `/users/${admin.id}`, { token: admin.token });
    await call('GET', '/users', { token: admin.token });
    const ttls = await Promise.all([`parking_lot:${lot.id}`, 'parking_lots:all', `user:${admin.id}`, 'users:all', `user_session:${admin.id}`].map((k) => redis.ttl(k)));
    const expected = [900, 600, 600, 300, 12 * 3600];
    ttls.forEach((ttl, i) => {
      expect(ttl).toBeGreaterThan(expected[i]! - 30);
      expect(ttl).toBeLessThanOrEqual(expected[i]!);
    });
    expect(JSON.parse((await redis.get(`parking_lot:${lot.id}`))!)).toEqual(lot);
  });

  it('never holds a password hash or a raw token', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    await call('GET', '/auth/me', { token: user.token });
    await call('GET', '/users', { token: admin.token });
    for (const key of [`user:${user.id}`, 'users:all', `user_session:${user.id}`]) {
      const value = (await redis.get(key)) ?? '';
      expect(value, key).not.toBe('');
      expect(value).not.toMatch(/password|pbkdf2/i);
      expect(value).not.toContain(user.token.replace(/^pe_\d+_/, ''));
    }
  });
});

describe('invalidation', () => {
  it('a read after a user edit never returns the old value', async () => {
    const env = listsWorld; // so the user is on the cached first page (`users:all`)
    const admin = await makeAdmin(env);
    const user = await makeUser({ env });
    await call('GET', `/users/${user.id}`, { token: admin.token, env });
    await call('GET', '/users', { token: admin.token, env });
    await call('PATCH', `/users/${user.id}`, { token: user.token, body: { name: 'Fresh Name' }, env });
    expect((await call('GET', `/users/${user.id}`, { token: admin.token, env })).body.name).toBe('Fresh Name');
    const listed = (await call('GET', '/users', { token: admin.token, env })).body.data.find((u: { id: number }) => u.id === user.id);
    expect(listed.name).toBe('Fresh Name');
  });

  it('a slow cache fill never overwrites a newer invalidation (a read and a write interleaved)', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { name: 'Before' });
    // The reader's database answer is held back after the query ran: it read "Before", and answers late.
    const slowReader = tagged();
    await slowReader.configure('neon', { reply_delay_ms: 800 });
    const read = call('GET', `/parking-lots/${lot.id}`, { env: slowReader.env });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const write = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'After' } });
    expect(write.status).toBe(200);
    const slow = await read; // its response, and then its cache fill, come after the write
    expect(slow.body.name).toBe('Before');
    await slowReader.configure('neon', { reply_delay_ms: 0 });
    const cachedValue = await redis.get<string>(`parking_lot:${lot.id}`);
    expect(cachedValue === null || JSON.parse(cachedValue).name === 'After').toBe(true);
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.name).toBe('After');
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.name).toBe('After');
  });

  it('a slow read of a lot during a booking cannot cache the availability before it', async () => {
    const env = listsWorld; // so the lot is on the cached first page (`parking_lots:all`)
    const admin = await makeAdmin(env);
    const user = await makeUser({ env });
    const lot = await makeLot(admin, { capacity: 2 }, env);
    const slowReader = tagged();
    await slowReader.configure('neon', { reply_delay_ms: 800 });
    const slowEnv = { ...slowReader.env, DATABASE_URL: withTag(env.DATABASE_URL, slowReader.tag), UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL };
    const read = call('GET', '/parking-lots', { env: slowEnv });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await book(user, lot.id, undefined, {}, env)).status).toBe(201);
    await read;
    await slowReader.configure('neon', { reply_delay_ms: 0 });
    const listed = (await call('GET', '/parking-lots', { env })).body.data.find((l: { id: number }) => l.id === lot.id);
    expect(listed.available_spots).toBe(1);
  });
});

describe('bounded cache values', () => {
  it('caches only the first page at the default size, in its contract key', async () => {
    const env = listsWorld;
    const admin = await makeAdmin(env);
    await call('GET', '/users', { token: admin.token, env });
    const cached = JSON.parse((await redisClient(env.UPSTASH_REDIS_REST_URL).get<string>('users:all'))!);
    expect(cached).toMatchObject({ data: expect.any(Array), next_cursor: null });
    // Another size is read from Postgres and cached nowhere.
    const small = await call('GET', '/users?limit=1', { token: admin.token, env });
    expect(small.body.data).toHaveLength(1);
    expect(await redisClient(env.UPSTASH_REDIS_REST_URL).get<string>('users:all')).toBe(JSON.stringify(cached));
  });

  it('refuses a value over 1 MiB', async () => {
    const deps = makeDeps(testEnv);
    const key = `big:${crypto.randomUUID()}`;
    expect(await deps.redis.cacheSet(key, 'x'.repeat(1024 * 1024), 60)).toBe(false);
    expect(await deps.redis.cacheSet(key, 'x'.repeat(1024 * 1024 - 100), 60)).toBe(true);
    expect((await redis.get<string>(key))?.length).toBe(1024 * 1024 - 100 + 2);
    await redis.del(key);
  });
});
