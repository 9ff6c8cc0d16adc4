// PostgreSQL measures as Redis GEO does: on 1 200 seeded random points all over Redis's latitudes, the search's
// SQL (geo-sql.ts) gives each point Redis's distance to the last of its 4 decimals and keeps the same points
// inside the circle. And the search without Redis runs on the position index, never a scan of every lot: in
// the plain case, across the antimeridian (two ranges) and around a pole (every longitude of a band).
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import { raw } from '../../src/redis/gateway.ts';
import { REDIS_GEO_MAX_LATITUDE, redisPosition, snapped } from '../../src/services/lots/geo-point.ts';
import { prepareSearch } from '../../src/services/lots/geo-query.ts';
import { measuredFrom, searchStatement } from '../../src/services/lots/geo-sql.ts';
import { testEnv } from '../helpers/http.ts';
import { redisClient } from '../helpers/fixtures.ts';
import { seededRandom } from '../helpers/random.ts';


/** Sends commands as they are, in one pipeline, and answers the last one's reply. */
async function send<T>(...commands: string[][]): Promise<T> {
  const pipeline = redisClient().pipeline();
  for (const command of commands) raw(pipeline, command);
  return (await pipeline.exec()).at(-1) as T;
}

describe('the SQL geometry', () => {
  it("gives Redis's distances and Redis's circle, on random points", async () => {
    const next = seededRandom(20261201);
    const deps = makeDeps(testEnv);
    const key = `geo-geometry-test:${crypto.randomUUID()}`;
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      const edge = round % 10 === 0; // now and then right at the antimeridian or Redis's highest latitudes
      const near = { lat: (next() * 2 - 1) * (edge ? REDIS_GEO_MAX_LATITUDE - 0.5 : 80), lng: edge ? 179.9 + next() * 0.1 : next() * 360 - 180 };
      const points = Array.from({ length: 30 }, (_, i) => {
        const lat = Math.max(-REDIS_GEO_MAX_LATITUDE, Math.min(REDIS_GEO_MAX_LATITUDE, near.lat + (next() * 2 - 1) * 0.4));
        let lng = near.lng + (next() * 2 - 1) * 0.5;
        if (lng > 180) lng -= 360;
        return { id: round * 100 + i, lat, lng: i === 0 ? 180 : lng };
      });
      const centre = snapped(near);
      const radiusM = 20_000 + next() * 30_000;
      const members = points.flatMap((p) => [String(redisPosition(p)!.lng), String(p.lat), String(p.id)]);
      const found = await send<[string, string][]>(['DEL', key], ['GEOADD', key, ...members], ['GEOSEARCH', key, 'FROMLONLAT', String(centre.lng), String(centre.lat), 'BYRADIUS', String(radiusM), 'm', 'WITHDIST']);
      const fromRedis = new Map(found.map(([member, distance]) => [Number(member), Number(distance.replace('.', ''))]));
      const values = sql.join(points.map((p) => sql`(${p.id}::int, ${p.lat}::float8, ${p.lng}::float8)`), sql`, `);
      const { rows } = await deps.db.execute<{ id: number; e4: number; distance: number }>(sql`
        SELECT l.id, round(d.distance * 10000) AS e4, d.distance FROM (VALUES ${values}) AS l(id, latitude, longitude) ${measuredFrom(centre)}`);
      for (const row of rows) {
        expect(row.distance <= radiusM, `point ${row.id}`).toBe(fromRedis.has(row.id));
        if (fromRedis.has(row.id)) {
          expect(Math.abs(row.e4 - fromRedis.get(row.id)!), `point ${row.id}`).toBeLessThanOrEqual(1);
          compared++;
        }
      }
    }
    await send(['DEL', key]);
    expect(compared).toBeGreaterThan(600); // of 1 200: most points fall inside their circle
  });
});

describe('the search without Redis', () => {
  const shapes = {
    'a plain circle': { near: { lat: 12.97, lng: 77.59 }, ranges: 1 },
    'a circle across the antimeridian': { near: { lat: -16.8, lng: 179.9 }, ranges: 2 },
    'a circle around the North Pole': { near: { lat: 89.9, lng: 10 }, ranges: 1 },
  };
  for (const [name, { near, ranges }] of Object.entries(shapes)) {
    for (const sort of ['distance', 'available'] as const) {
      it(`runs on the position index, not a scan of every lot: ${name}, by ${sort}`, async () => {
        const search = prepareSearch({ near, radius_km: 50, sort }, { limit: 100 });
        expect(search.box.lngRanges).toHaveLength(ranges);
        const deps = makeDeps(testEnv);
        // Forbidding sequential scans shows whether the statement can do without one: if it could not, the
        // planner would still scan (at a prohibitive cost) and the plan would say so.
        const [, plan] = await deps.db.batch([
          deps.db.execute(sql`SET LOCAL enable_seqscan = off`),
          deps.db.execute<{ 'QUERY PLAN': unknown }>(sql`EXPLAIN (FORMAT JSON) ${searchStatement(search)}`),
        ]);
        const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
        expect(text).toContain('"Index Name":"parking_lots_position_idx"');
        expect(text).not.toMatch(/"Node Type":"Seq Scan"[^}]*"Relation Name":"parking_lots"/);
      });
    }
  }
});
