// HEAD is a GET for every purpose (SPEC): the same answer without a body, the same rate limit, the same counters.
import { describe, expect, it } from 'vitest';
import { call, randomIp, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot } from '../helpers/fixtures.ts';

describe('HEAD', () => {
  it('answers as the GET does, without a body', async () => {
    const lot = await makeLot(await makeAdmin());
    const head = await call('HEAD', `/parking-lots/${lot.id}`);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-type')).toContain('application/json');
    expect((await call('HEAD', '/parking-lots/999999999')).status).toBe(404);
  });

  it('counts against the limit of the GET of that route', async () => {
    const lot = await makeLot(await makeAdmin());
    const env = { ...testEnv, RATE_LIMIT_ANONYMOUS_PER_HOUR: '4' };
    const ip = randomIp();
    const statuses: number[] = [];
    for (const method of ['GET', 'HEAD', 'GET', 'HEAD', 'HEAD', 'GET']) {
      statuses.push((await call(method, `/parking-lots/${lot.id}`, { env, ip })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
