// Writes that cannot clear the cache while Redis is down leave their keys in Postgres: one row per key however
// long the outage lasts, and a key written again gets a new id (so a reconciliation that read the old row does
// not forget the newer write).
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, sql } from '../helpers/fixtures.ts';

describe('pending invalidations', () => {
  it('keep one row per key, renewed by each write', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const rows = () => sql`SELECT id FROM pending_invalidations WHERE key = ${`parking_lot:${lot.id}`}`;
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { env, token: admin.token, body: { name: 'First' } })).status).toBe(200);
    const first = await rows();
    expect(first).toHaveLength(1);
    for (const name of ['Second', 'Third']) {
      expect((await call('PATCH', `/parking-lots/${lot.id}`, { env, token: admin.token, body: { name } })).status).toBe(200);
    }
    const after = await rows();
    expect(after).toHaveLength(1);
    expect(Number(after[0]!.id)).toBeGreaterThan(Number(first[0]!.id));
  });
});
