// The search by distance as lots change: one Redis round trip (the gate's) and no Postgres query when the live
// entries are there, exact counts right after every booking step, positions that follow every lot write (also when two
// writes of one lot apply out of order), a slow fill that cannot write what a booking cleared, and positions
// rebuilt when missing or when a writer died midway. In a world of its own (listsWorld: a database and a Redis
// database few other files touch), so that dropping the positions disturbs no other search, in a region no
// other test uses (Tristan da Cunha).
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import type { Env } from '../../src/env.ts';
import { KEY_LOCKING_SHEBANG } from '../../src/redis/scripts.ts';
import { applyPendingInvalidations } from '../../src/redis/reconcile.ts';
import { answerFromRedis } from '../../src/services/lots/geo-search.ts';
import { createLot, deleteLot, updateLot } from '../../src/services/lots/lots-service.ts';
import { auditScripts } from '../helpers/script-audit.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, listsWorld, makeAdmin, makeLot, makeUser, redisClient, type TestUser } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const env = listsWorld;
const down: Env = { ...env, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
const redis = redisClient(env.UPSTASH_REDIS_REST_URL);
const centre = { lat: -37.1, lng: -12.3 };
const search = (query = '', on: Env = env) => call('GET', `/parking-lots?near=${centre.lat},${centre.lng}&radius_km=20${query}`, { env: on });

/** listsWorld with a tag of its own on the Neon stand-in, to count this test's Postgres queries. */
function counted() {
  const scope = tagged();
  const url = new URL(env.DATABASE_URL);
  url.searchParams.set('application_name', scope.tag);
  return { scope, env: { ...env, DATABASE_URL: url.toString() } };
}

/** A search's Redis round trips before its answer (the app's own count) and its Postgres queries. */
async function measure(query = '') {
  const { scope, env: tagged } = counted();
  const { result, neon } = await scope.count(() => search(query, tagged));
  return { status: result.status, redisBefore: Number(result.headers.get('x-redis-round-trips')), postgres: neon, body: result.body };
}

const ids = (body: { data: { id: number }[] }) => body.data.map((lot) => lot.id);
const find = (body: { data: { id: number; available_spots: number; distance_m: number }[] }, id: number) => body.data.find((lot) => lot.id === id);

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  admin = await makeAdmin(env);
  user = await makeUser({ env });
});

describe('the answer from Redis', () => {
  it('costs one Redis round trip, the gate\'s, and no Postgres query once the live entries are filled', async () => {
    const lot = await makeLot(admin, { latitude: -37.105, longitude: -12.31, capacity: 4 }, env);
    const first = await measure();
    expect(first.status).toBe(200);
    expect(ids(first.body)).toContain(lot.id);
    // Another file's booking of a lot whose entry shares a key with ours would clear it in between: measured
    // twice at most, so one such coincidence does not fail the test.
    let warm = await measure();
    if (warm.postgres !== 0) warm = await measure();
    expect({ status: warm.status, redisBefore: warm.redisBefore, postgres: warm.postgres }).toEqual({ status: 200, redisBefore: 1, postgres: 0 });
    expect(warm.body).toEqual(first.body);
  });

  it('shows the new count right after each booking step, in both orders', async () => {
    const busy = await makeLot(admin, { latitude: -37.11, longitude: -12.3, capacity: 3 }, env);
    const quiet = await makeLot(admin, { latitude: -37.12, longitude: -12.3, capacity: 2 }, env);
    const order = async () => ids((await search('&sort=available')).body).filter((id) => id === busy.id || id === quiet.id);
    await search();
    await search('&sort=available'); // entries filled
    expect(await order()).toEqual([busy.id, quiet.id]); // 3 free, then 2
    const first = await book(user, busy.id, undefined, {}, env);
    expect(find((await search()).body, busy.id)!.available_spots).toBe(2);
    const second = await book(user, busy.id, undefined, {}, env);
    expect(await order()).toEqual([quiet.id, busy.id]); // 2 free, then 1
    await call('POST', `/reservations/${first.body.id}/park`, { token: user.token, env });
    expect(find((await search()).body, busy.id)).toMatchObject({ available_spots: 1, reserved_spots: 1, occupied_spots: 1 });
    await call('POST', `/reservations/${first.body.id}/release`, { token: user.token, env });
    await call('POST', `/reservations/${second.body.id}/cancel`, { token: user.token, env });
    expect(find((await search()).body, busy.id)).toMatchObject({ available_spots: 3, reserved_spots: 0, occupied_spots: 0 });
    expect(await order()).toEqual([busy.id, quiet.id]);
  });

  it('never lets a slow fill write the count a booking changed', async () => {
    const lot = await makeLot(admin, { latitude: -37.13, longitude: -12.29, capacity: 3 }, env);
    await search();
    await book(user, lot.id, undefined, {}, env); // clears the lot's entry: the next search reads it from Postgres
    const { scope, env: slowEnv } = counted();
    await scope.configure('neon', { reply_delay_ms: 800 });
    const slow = search('', slowEnv); // reads 2 free, answers late, then fills
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await book(user, lot.id, undefined, {}, env)).status).toBe(201);
    expect(find((await slow).body, lot.id)!.available_spots).toBe(2);
    await scope.configure('neon', { reply_delay_ms: 0 });
    expect(find((await search()).body, lot.id)!.available_spots).toBe(1);
    expect(find((await search()).body, lot.id)!.available_spots).toBe(1);
  });
});

describe('the positions', () => {
  it('follow every lot write: creation, move, clearing a coordinate, deletion', async () => {
    const agree = async () => {
      const [up, without] = [await search(), await search('', down)];
      expect(up.body).toEqual(without.body);
      return up.body;
    };
    const lot = await makeLot(admin, { latitude: -37.2, longitude: -12.3 }, env);
    const at = find(await agree(), lot.id)!.distance_m;
    expect(at).toBeGreaterThan(11_000);
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env, body: { latitude: -37.15 } });
    expect(find(await agree(), lot.id)!.distance_m).toBeLessThan(at - 5000);
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env, body: { longitude: null } });
    expect(find(await agree(), lot.id)).toBeUndefined();
    expect(await redis.zscore('parking_lots:geo', String(lot.id))).toBeNull();
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env, body: { longitude: -12.3 } });
    expect(find(await agree(), lot.id)).toBeDefined();
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token, env })).status).toBe(204);
    expect(find(await agree(), lot.id)).toBeUndefined();
    expect(await redis.zscore('parking_lots:geo', String(lot.id))).toBeNull();
  });

  it('cost a position write one Redis round trip more than another write, before its answer', async () => {
    const trips = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, { token: admin.token, env, ...(body ? { body } : {}) });
      expect(res.status).toBeLessThan(300);
      return [Number(res.headers.get('x-redis-round-trips')), res.body] as const;
    };
    const body = { name: 'Counted', address: '1 Test Street', pin_code: '560001', price_per_hour_cents: 100, capacity: 2 };
    expect((await trips('POST', '/parking-lots', body))[0]).toBe(2); // gate; the entries settled after the commit
    const [created, lot] = await trips('POST', '/parking-lots', { ...body, latitude: -37.3, longitude: -12.2 });
    expect(created).toBe(3); // gate; writer alongside the statement; the change with the entries settled
    expect((await trips('PATCH', `/parking-lots/${lot.id}`, { name: 'Renamed' }))[0]).toBe(2);
    expect((await trips('PATCH', `/parking-lots/${lot.id}`, { longitude: -12.21 }))[0]).toBe(3);
    expect((await trips('DELETE', `/parking-lots/${lot.id}`))[0]).toBe(3);
  });

  it('stay right when two moves of one lot apply in the other order than they committed', async () => {
    const lot = await makeLot(admin, { latitude: -37.3, longitude: -12.3 }, env);
    await search();
    // The first move commits at once but its answer (and so its change to the positions) comes late.
    const { scope, env: slowEnv } = counted();
    await scope.configure('neon', { reply_delay_ms: 800 });
    const first = call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env: slowEnv, body: { latitude: -37.25 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env, body: { latitude: -37.16 } })).status).toBe(200);
    expect((await first).status).toBe(200);
    await scope.configure('neon', { reply_delay_ms: 0 });
    const expected = find((await search('', down)).body, lot.id)!.distance_m; // the last committed position
    expect(expected).toBeLessThan(8000);
    expect(find((await search()).body, lot.id)!.distance_m).toBe(expected);
    expect(find((await search()).body, lot.id)!.distance_m).toBe(expected);
  });

  it('are rebuilt from Postgres when missing, and serve the next search', async () => {
    const lot = await makeLot(admin, { latitude: -37.05, longitude: -12.35 }, env);
    await redis.del('parking_lots:geo');
    const answered = await search();
    expect(find(answered.body, lot.id)).toBeDefined();
    expect(await redis.zscore('parking_lots:geo', String(lot.id))).not.toBeNull();
    expect(await redis.zscore('parking_lots:geo', 'built')).not.toBeNull(); // the set exists even with no lot in it
    let again = await measure();
    if (again.postgres !== 0) again = await measure(); // see the first test
    expect(again.postgres).toBe(0);
    expect(again.body).toEqual(answered.body);
  });

  it('are dropped and rebuilt when a writer died between its commit and its change', async () => {
    const lot = await makeLot(admin, { latitude: -37.06, longitude: -12.36 }, env);
    await search();
    // A creation that committed (the row is there) but never told Redis, its writer left behind.
    await redis.zrem('parking_lots:geo', String(lot.id));
    await redis.hset('parking_lots:geo:writers', { [crypto.randomUUID()]: `${Date.now() - 1000} 0` });
    expect(find((await search()).body, lot.id)).toBeDefined();
    expect(await redis.zscore('parking_lots:geo', String(lot.id))).not.toBeNull();
    expect(find((await search()).body, lot.id)).toBeDefined();
  });

  it('are left alone by a refused search (429), even with a writer dead: the search only reads until admitted', async () => {
    const lot = await makeLot(admin, { latitude: -37.065, longitude: -12.365 }, env);
    const limited = { ...env, RATE_LIMIT_ANONYMOUS_PER_HOUR: '1' };
    const from = { 'cf-connecting-ip': `198.51.100.${1 + Math.floor(Math.random() * 250)}` };
    const path = `/parking-lots?near=${centre.lat},${centre.lng}&radius_km=20`;
    expect((await call('GET', path, { env: limited, headers: from })).status).toBe(200);
    const dead = crypto.randomUUID();
    await redis.hset('parking_lots:geo:writers', { [dead]: `${Date.now() - 1000} 0` });
    expect((await call('GET', path, { env: limited, headers: from })).status).toBe(429);
    expect(await redis.hget('parking_lots:geo:writers', dead)).not.toBeNull();
    expect(await redis.zscore('parking_lots:geo', String(lot.id))).not.toBeNull();
    expect(await redis.exists('parking_lots:geo:rebuild')).toBe(0);
    expect(find((await search()).body, lot.id)).toBeDefined(); // an admitted search drops the writer and rebuilds
    expect(await redis.hget('parking_lots:geo:writers', dead)).toBeNull();
  });

  it('are dropped once Redis is back when a position write could not reach it', async () => {
    const lot = await makeLot(admin, { latitude: -37.07, longitude: -12.37 }, env);
    await search();
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, env: down, body: { latitude: null } })).status).toBe(200);
    const deps = makeDeps(env);
    expect((await applyPendingInvalidations(deps)).applied).toBeGreaterThan(0); // what an isolate does when Redis is back
    expect(await redis.exists('parking_lots:geo')).toBe(0);
    expect(find((await search()).body, lot.id)).toBeUndefined();
  });
});

describe("the geo search's scripts", () => {
  it('declare allow-key-locking and touch only their KEYS: search, rebuild, fills, position writes', async () => {
    const deps = makeDeps(env);
    deps.redis.trustReads([]);
    const audit = auditScripts(deps);
    const query = { near: centre, radius_km: 20, sort: 'available' as const };
    await redis.del('parking_lots:geo');
    expect(await answerFromRedis(deps, query, { limit: 10 })).toBeNull(); // missing: this request rebuilds
    await deps.request.flush(deps.redis);
    const lot = await createLot(deps, { name: 'Audited', address: '1 Test Street', pin_code: '560001', price_per_hour_cents: 100, capacity: 2, latitude: -37.09, longitude: -12.3 });
    await updateLot(deps, lot.id, { latitude: -37.08 });
    expect((await answerFromRedis(deps, query, { limit: 10 }))!.data.map((found) => found.id)).toContain(lot.id);
    await deps.request.flush(deps.redis); // the fills
    await deleteLot(deps, lot.id);
    await deps.request.flush(deps.redis);
    expect(audit.calls.length).toBeGreaterThanOrEqual(6);
    for (const script of audit.calls) expect(script.source!.split('\n')[0]).toBe(KEY_LOCKING_SHEBANG);
    expect(await audit.undeclared()).toEqual([]);
  });
});
