// Text is well-formed Unicode: a lone surrogate anywhere in a JSON body is 422 naming the field, on every route,
// and nothing is stored (Neon's proxy would refuse the query, which the app would see as an outage).
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeAdmin, makeLot, sql, unique } from '../helpers/fixtures.ts';

const LONE = '\\ud800'; // as it travels: a JSON escape

describe('a lone surrogate in a JSON body', () => {
  it('is 422 for a value, naming the field, and creates nothing', async () => {
    const email = `${unique('s')}@parkedge.test`;
    const rawBody = `{"email":"${email}","password":"a-good-password","name":"Asha ${LONE} Rao"}`;
    const res = await call('POST', '/auth/register', { rawBody, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'name', in: 'json' })]);
    expect(await sql`SELECT 1 FROM users WHERE email = ${email}`).toHaveLength(0);
  });

  it('is 422 in a nested value and in a key, on an admin route too', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const low = `{"name":"ok","latitude":1,"x":{"y":["fine","\\udfff"]}}`;
    const inKey = `{"na${LONE}me":"ok"}`;
    for (const rawBody of [low, inKey]) {
      const res = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, rawBody, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].in).toBe('json');
    }
    const res = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, rawBody: low, headers: { 'content-type': 'application/json' } });
    expect(res.body.error.details[0].field).toBe('x.y.1');
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.name).toBe(lot.name);
  });

  it('a surrogate pair (an emoji) is well-formed text and is kept', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const rawBody = `{"name":"Lot \\ud83d\\ude97"}`;
    const res = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, rawBody, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Lot 🚗');
  });

  it('a body nested 10 000 deep (within the 64 KiB limit) is judged like any other (422, nothing changed), not a 500', async () => {
    // Found by npm run chaos (the bad-input corpus): the walk looking for lone surrogates recursed once per level.
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const depth = 10_000;
    for (const rawBody of [`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `{"name":${'['.repeat(depth)}"\\udfff"${']'.repeat(depth)}}`]) {
      const res = await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, rawBody, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.name).toBe(lot.name);
  });
});
