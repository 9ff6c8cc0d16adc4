// The search by distance on a fixed data set, far from every other test's lots: Redis up and Redis down give
// the same lots in the same order with the same distances (to 0.1 mm), and both agree with distances this test
// computes itself (a haversine on the lots' exact coordinates, within 1 m: Redis measures between the centres
// of 52-bit geohash cells). At both poles, across the antimeridian, at the edge of Redis GEO's latitudes,
// radius 0 and the maximum radius, both orders, page by page.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import type { Env } from '../../src/env.ts';
import { answerFromRedis } from '../../src/services/lots/geo-search.ts';
import { NearbyLotSchema, type NearbyLot } from '../../src/schemas/lots.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser } from '../helpers/fixtures.ts';

const EARTH_RADIUS_M = 6372797.560856; // Redis's sphere
const down: Env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };

interface Point {
  lat: number;
  lng: number;
}

/** The great-circle distance, written here and not taken from the app. */
function haversine(a: Point, b: Point): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

// name: [latitude, longitude, capacity, spots booked]
const places: Record<string, [number | null, number | null, number, number]> = {
  // Kerguelen: the plain case, radius 0 and 50 km, both orders, pages.
  k0: [-49.35, 70.22, 3, 0],
  k0twin: [-49.35, 70.22, 3, 0], // the same point: a tie, broken by id
  k1: [-49.351, 70.2215, 5, 1],
  k2: [-49.3575, 70.22, 2, 0],
  k3: [-49.33, 70.25, 4, 0],
  k4: [-49.4, 70.1, 4, 2],
  k5: [-49.0, 70.22, 1, 0],
  k6: [-48.902, 70.22, 5, 0], // 49.8 km north of k0
  k7: [-48.898, 70.22, 5, 0], // 50.3 km: just outside the largest radius
  k8: [-49.8, 70.9, 2, 0],
  kLatOnly: [-49.35, null, 2, 0],
  kLngOnly: [null, 70.22, 2, 0],
  kNowhere: [null, null, 2, 0],
  // Fiji, across the antimeridian.
  a1: [-16.8, 179.95, 2, 0],
  a2: [-16.75, 179.8, 2, 0],
  a3: [-16.8, 180, 2, 0],
  a4: [-16.82, -180, 2, 0],
  a5: [-16.9, -179.9, 2, 0],
  a6: [-16.8, -179.75, 2, 0],
  a7: [-16.8, 179.6, 2, 0],
  // The North Pole.
  n1: [90, 0, 2, 0],
  n2: [89.9, 0, 2, 0],
  n3: [89.88, 180, 2, 0],
  n4: [89.8, -90, 2, 0],
  n5: [89.6, 45, 2, 0],
  n6: [89.5, 10, 2, 0],
  n7: [89.95, 123, 2, 0],
  // The South Pole.
  s1: [-90, 0, 2, 0],
  s2: [-89.95, 60, 2, 0],
  s3: [-89.7, -120, 2, 0],
  s4: [-89.5, 0, 2, 0],
  // Svalbard's north: around the highest latitude Redis GEO holds (85.05112878°); e4 is beyond it.
  e1: [84.9, 30, 2, 0],
  e2: [85.0, 30.5, 2, 0],
  e3: [85.03, 30.2, 2, 0],
  e4: [85.06, 31, 2, 0],
  e5: [84.6, 30, 2, 0],
};

interface Query {
  near: Point;
  radiusKm: number;
  sort?: 'distance' | 'available';
  /** Redis GEO holds every lot the circle may contain, so Redis answers it when up. */
  redis: boolean;
}

const queries: Query[] = [
  { near: { lat: -49.35, lng: 70.22 }, radiusKm: 5, redis: true },
  { near: { lat: -49.35, lng: 70.22 }, radiusKm: 50, redis: true },
  { near: { lat: -49.35, lng: 70.22 }, radiusKm: 50, sort: 'available', redis: true },
  { near: { lat: -49.35, lng: 70.22 }, radiusKm: 0, redis: true },
  { near: { lat: -49.35, lng: 70.22 }, radiusKm: 0.1, redis: true },
  { near: { lat: -49.36, lng: 70.24 }, radiusKm: 12, sort: 'available', redis: true },
  { near: { lat: -16.8, lng: 179.95 }, radiusKm: 30, redis: true },
  { near: { lat: -16.8, lng: -179.99 }, radiusKm: 20, redis: true },
  { near: { lat: -16.8, lng: 180 }, radiusKm: 10, redis: true },
  { near: { lat: -16.8, lng: -180 }, radiusKm: 10, sort: 'available', redis: true },
  { near: { lat: 90, lng: 0 }, radiusKm: 50, redis: false },
  { near: { lat: 89.9, lng: 90 }, radiusKm: 30, redis: false },
  { near: { lat: 89.9, lng: 90 }, radiusKm: 30, sort: 'available', redis: false },
  { near: { lat: -90, lng: 0 }, radiusKm: 40, redis: false },
  { near: { lat: -89.8, lng: 60 }, radiusKm: 30, redis: false },
  { near: { lat: 84.6, lng: 30 }, radiusKm: 50, redis: true },
  { near: { lat: 84.9, lng: 30 }, radiusKm: 30, redis: false },
];

const lots = new Map<string, { id: number; free: number; at: Point | null }>();

const pathOf = (q: Query, extra = '') => `/parking-lots?near=${q.near.lat},${q.near.lng}&radius_km=${q.radiusKm}${q.sort ? `&sort=${q.sort}` : ''}${extra}`;

/** What the answer must be, from this test's own haversine. */
function expected(q: Query): { name: string; id: number; distance: number }[] {
  const inside = [...lots].flatMap(([name, lot]) => {
    if (!lot.at) return [];
    const distance = haversine(q.near, lot.at);
    return distance <= q.radiusKm * 1000 ? [{ name, id: lot.id, distance, free: lot.free }] : [];
  });
  const byDistance = (a: (typeof inside)[0], b: (typeof inside)[0]) => (a.distance === b.distance ? a.id - b.id : a.distance - b.distance);
  return inside.sort((a, b) => (q.sort === 'available' && a.free !== b.free ? b.free - a.free : byDistance(a, b)));
}

/** The whole answer, page by page. */
async function walk(path: string, env: Env, limit: number): Promise<NearbyLot[]> {
  const rows: NearbyLot[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; text: string; body: { data: unknown[]; next_cursor: string | null } } = await call('GET', `${path}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { env });
    expect(res.status, res.text).toBe(200);
    rows.push(...res.body.data.map((row: unknown) => NearbyLotSchema.parse(row)));
    cursor = res.body.next_cursor;
  } while (cursor);
  return rows;
}

function expectSameAnswers(actual: NearbyLot[], reference: NearbyLot[], tolerance: number): void {
  expect(actual.map((lot) => lot.id)).toEqual(reference.map((lot) => lot.id));
  actual.forEach((lot, i) => expect(Math.abs(lot.distance_m - reference[i]!.distance_m)).toBeLessThanOrEqual(tolerance));
}

beforeAll(async () => {
  const admin = await makeAdmin();
  const user = await makeUser();
  for (const [name, [lat, lng, capacity, booked]] of Object.entries(places)) {
    const lot = await makeLot(admin, { latitude: lat, longitude: lng, capacity });
    for (let i = 0; i < booked; i++) expect((await book(user, lot.id)).status).toBe(201);
    lots.set(name, { id: lot.id, free: capacity - booked, at: lat !== null && lng !== null ? { lat, lng } : null });
  }
});

describe('the fixed data set', () => {
  it('is spread out enough that 1 m of error cannot change an answer', () => {
    for (const q of queries) {
      for (const lot of lots.values()) {
        // No lot within 2 m of the circle's edge, but those at the very point of a search of radius 0.
        const distance = lot.at ? haversine(q.near, lot.at) : Infinity;
        if (distance > 0) expect(Math.abs(distance - q.radiusKm * 1000), JSON.stringify(q)).toBeGreaterThan(2);
      }
      const rows = expected(q);
      for (let i = 1; i < rows.length; i++) {
        const gap = rows[i]!.distance - rows[i - 1]!.distance;
        expect(gap === 0 || Math.abs(gap) > 2 || q.sort === 'available', `${rows[i - 1]!.name} and ${rows[i]!.name}`).toBe(true);
      }
    }
  });
});

describe('a search by distance', () => {
  for (const q of queries) {
    it(`near ${q.near.lat},${q.near.lng} within ${q.radiusKm} km${q.sort ? ` by ${q.sort}` : ''}: Redis up and down agree, and with the haversine`, async () => {
      const want = expected(q);
      const withRedis = await walk(pathOf(q), testEnv, 500);
      const withoutRedis = await walk(pathOf(q), down, 500);
      expect(withRedis.map((lot) => lot.id)).toEqual(want.map((row) => row.id));
      expectSameAnswers(withoutRedis, withRedis, 0.0001);
      withRedis.forEach((lot, i) => expect(Math.abs(lot.distance_m - want[i]!.distance)).toBeLessThanOrEqual(1));
      withRedis.forEach((lot) => expect(lot.available_spots).toBe([...lots.values()].find((l) => l.id === lot.id)!.free));
      // The same search answered by Redis alone (its script and the live entries), when Redis may answer it.
      const deps = makeDeps(testEnv);
      deps.redis.trustReads([]);
      let fromRedis = await answerFromRedis(deps, { near: q.near, radius_km: q.radiusKm, sort: q.sort ?? 'distance' }, { limit: 500 });
      if (fromRedis === null && q.redis) {
        await deps.request.flush(deps.redis); // the positions were missing: this rebuilt them
        fromRedis = await answerFromRedis(deps, { near: q.near, radius_km: q.radiusKm, sort: q.sort ?? 'distance' }, { limit: 500 });
      }
      if (q.redis) expectSameAnswers(fromRedis!.data, withRedis, 0.0001);
      else expect(fromRedis).toBeNull();
      await deps.request.flush(deps.redis);
    });
  }

  it('walks the same pages with Redis up and down, in both orders', async () => {
    for (const q of [queries[1]!, queries[2]!, queries[6]!, queries[12]!]) {
      const whole = await walk(pathOf(q), testEnv, 500);
      expect(whole.length).toBeGreaterThan(3);
      for (const limit of [1, 2, 3]) {
        expectSameAnswers(await walk(pathOf(q), testEnv, limit), whole, 0);
        expectSameAnswers(await walk(pathOf(q), down, limit), whole, 0.0001);
      }
    }
  });

  it('finds the lots at the very point with radius 0, at distance 0, ties by id', async () => {
    const rows = await walk(pathOf(queries[3]!), testEnv, 500);
    expect(rows.map((lot) => [lot.id, lot.distance_m])).toEqual([
      [lots.get('k0')!.id, 0],
      [lots.get('k0twin')!.id, 0],
    ]);
  });

  it('never shows a lot without both coordinates', async () => {
    const rows = await walk(pathOf({ near: { lat: -49.35, lng: 70.22 }, radiusKm: 50, redis: true }), down, 500);
    const hidden = ['kLatOnly', 'kLngOnly', 'kNowhere'].map((name) => lots.get(name)!.id);
    expect(rows.some((lot) => hidden.includes(lot.id))).toBe(false);
  });
});
