// A busy lot stays cached: every write that changes a lot stores the lot's new state in its entry (write-through)
// instead of leaving a hole, in the order of the lot's states; and a burst of readers after an invalidation
// shares one load per isolate.
import { describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, redisClient, sql } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const redis = redisClient();
const cachedLot = async (id: number) => JSON.parse((await redis.get<string>(`parking_lot:${id}`)) ?? 'null');

describe('write-through of a lot', () => {
  it('after each reservation step and edit the entry holds the new state, and the next read is a hit', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    await call('GET', `/parking-lots/${lot.id}`);
    const r = (await book(user, lot.id)).body;
    expect(await cachedLot(lot.id)).toMatchObject({ available_spots: 2, reserved_spots: 1 });
    await call('POST', `/reservations/${r.id}/park`, { token: user.token });
    expect(await cachedLot(lot.id)).toMatchObject({ available_spots: 2, reserved_spots: 0, occupied_spots: 1 });
    await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'Written through' } });
    expect(await cachedLot(lot.id)).toMatchObject({ name: 'Written through', occupied_spots: 1 });
    await call('POST', `/reservations/${r.id}/release`, { token: user.token });
    expect(await cachedLot(lot.id)).toMatchObject({ available_spots: 3, occupied_spots: 0 });
    const scope = tagged();
    const { result, neon } = await scope.count(() => call('GET', `/parking-lots/${lot.id}`, { env: scope.env }));
    expect(result.body).toMatchObject({ name: 'Written through', available_spots: 3 });
    expect(neon).toBe(0);
  });

  it('an edit in the same millisecond as the last one (or after a clock step back) is written through all the same', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 2 });
    const first = (await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'First edit' } })).body;
    // the state cached by the first edit, as if its clock read 10 s later than the second edit's will
    const ahead = Date.parse(first.updated_at) + 10_000;
    await sql.query(`UPDATE parking_lots SET updated_at = to_timestamp($1 / 1000.0) WHERE id = $2`, [ahead, lot.id]);
    const source = (await redis.get<string>(`cache_source:parking_lot:${lot.id}`))!;
    await redis.set(`cache_source:parking_lot:${lot.id}`, source.replace(/:\d+$/, `:${ahead}`));
    const second = (await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'Second edit' } })).body;
    expect(Date.parse(second.updated_at)).toBeGreaterThan(ahead);
    expect(await cachedLot(lot.id)).toMatchObject({ name: 'Second edit' });
  });

  it('never lets an older state land over a newer one, nor anything over a deleted lot', async () => {
    const deps = makeDeps(testEnv);
    const key = `parking_lot:${900_000_000 + Math.floor(Math.random() * 1_000_000)}`;
    expect(await deps.redis.cacheRefresh(key, { state: 'v5' }, 60, [5, 100])).toBe(true);
    await deps.redis.cacheRefresh(key, { state: 'v4, later clock' }, 60, [4, 900]); // an older version, late
    await deps.redis.cacheRefresh(key, { state: 'v5 again' }, 60, [5, 100]); // the same state
    expect(JSON.parse((await redis.get<string>(key))!)).toEqual({ state: 'v5' });
    await deps.redis.cacheRefresh(key, { state: 'v5, edited' }, 60, [5, 200]); // same version, a later edit
    expect(JSON.parse((await redis.get<string>(key))!)).toEqual({ state: 'v5, edited' });
    await deps.redis.cacheRefresh(key, null, 60, null); // deleted
    await deps.redis.cacheRefresh(key, { state: 'v6' }, 60, [6, 300]);
    expect(await redis.get(key)).toBeNull();
  });
});

describe('a burst of readers after an invalidation', () => {
  it('200 readers at once cost at most a couple of Postgres queries, and all get the lot', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 4 });
    await call('GET', `/parking-lots/${lot.id}`);
    await makeDeps(testEnv).redis.cacheDelete(`parking_lot:${lot.id}`);
    const scope = tagged();
    const { result, neon } = await scope.count(() => Promise.all(Array.from({ length: 200 }, () => call('GET', `/parking-lots/${lot.id}`, { env: scope.env }))));
    expect(result.every((r) => r.status === 200 && r.body.available_spots === 4)).toBe(true);
    expect(neon).toBeLessThanOrEqual(2);
  });
});
