// What GET /parking-lots accepts for a search by distance: every malformed or incomplete one is 422 naming its
// field, and costs no Postgres query and no Redis round trip before its answer; a cursor belongs to its search; the OpenAPI document
// describes the parameters and the answer.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const refused: [string, string[]][] = [
  ['near=12.97,77.59', ['radius_km']],
  ['radius_km=5', ['near']],
  ['sort=distance', ['near', 'radius_km']],
  ['near=12.97,77.59&sort=available', ['radius_km']],
  ['near=91,77.59&radius_km=5', ['near']],
  ['near=-90.5,0&radius_km=5', ['near']],
  ['near=12.97,180.01&radius_km=5', ['near']],
  ['near=12.97,-181&radius_km=5', ['near']],
  ['near=north,east&radius_km=5', ['near']],
  ['near=12.97&radius_km=5', ['near']],
  ['near=,77.59&radius_km=5', ['near']],
  ['near=12.97,&radius_km=5', ['near']],
  ['near=12.97,77.59,3&radius_km=5', ['near']],
  ['near=1e1,77.59&radius_km=5', ['near']],
  ['near=NaN,77.59&radius_km=5', ['near']],
  ['near=&radius_km=5', ['near']],
  ['near=12.97,77.59&radius_km=50.01', ['radius_km']],
  ['near=12.97,77.59&radius_km=-1', ['radius_km']],
  ['near=12.97,77.59&radius_km=five', ['radius_km']],
  ['near=12.97,77.59&radius_km=', ['radius_km']],
  ['near=12.97,77.59&radius_km=5&sort=cheapest', ['sort']],
];

describe('a search by distance', () => {
  for (const [query, fields] of refused) {
    it(`?${query} is 422 naming ${fields.join(' and ')}, and costs nothing`, async () => {
      const scope = tagged();
      const { result, redis, neon } = await scope.count(() => call('GET', `/parking-lots?${query}`, { env: scope.env }));
      expect(result.status).toBe(422);
      expect(result.body.error.code).toBe('validation_failed');
      expect(result.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(fields);
      // Nothing before the answer; after it, only the counting of the answer (one pipeline), as for every route.
      expect({ before: Number(result.headers.get('x-redis-round-trips')), redis, neon }).toEqual({ before: 0, redis: 1, neon: 0 });
    });
  }

  it('accepts spaces around the numbers, a sign, and the largest radius', async () => {
    for (const query of ['near=%2012.97%20,%20%2B77.59%20&radius_km=50', 'near=-0,-0&radius_km=50.0&sort=available', 'near=90,180&radius_km=0']) {
      const res = await call('GET', `/parking-lots?${query}`);
      expect(res.status, query).toBe(200);
    }
  });

  it("refuses a cursor of another search, or of the list, with 422 naming the cursor", async () => {
    const other = Buffer.from(JSON.stringify({ l: 'near:1,2,3,distance', k: [10, 1] })).toString('base64url');
    const list = Buffer.from(JSON.stringify({ l: 'lots', k: [1] })).toString('base64url');
    for (const cursor of [other, list]) {
      const res = await call('GET', `/parking-lots?near=1,2&radius_km=4&cursor=${cursor}`);
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });

  it('is described in the OpenAPI document: its parameters, and distance_m in the answer', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const list = doc.paths['/parking-lots'].get;
    const params = Object.fromEntries(list.parameters.map((p: { name: string; description?: string }) => [p.name, p.description]));
    expect(Object.keys(params).sort()).toEqual(['cursor', 'limit', 'near', 'radius_km', 'sort']);
    expect(params.radius_km).toContain('0 to 50');
    expect(params.sort).toContain('the default');
    expect(doc.components.schemas.NearbyParkingLot.required).toContain('distance_m');
  });
});
