// Every list is paged by an opaque keyset cursor: `?limit=&cursor=` in, `{data, next_cursor}` out, the next
// cursor null on the last page. Walking the pages while rows are added or removed never skips or repeats a row.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { everyRow, makeAdmin, makeLot, makeUser, unique } from '../helpers/fixtures.ts';

describe('pages', () => {
  it('of a lot\'s spots: in number order, limit by limit, the last with next_cursor null', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 7 });
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call('GET', `/parking-lots/${lot.id}/spots?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
      expect(res.status).toBe(200);
      pages.push(res.body.data.map((s: { number: number }) => s.number));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('have a default size of 100 and a maximum of 500', async () => {
    const admin = await makeAdmin();
    await Promise.all(Array.from({ length: 3 }, () => makeLot(admin)));
    const first = await call('GET', '/parking-lots?limit=2');
    expect(first.body.data).toHaveLength(2);
    expect(typeof first.body.next_cursor).toBe('string');
    for (const limit of ['0', '501', 'x', '1.5']) expect((await call('GET', `/parking-lots?limit=${limit}`)).status).toBe(422);
    const users = await call('GET', '/users', { token: admin.token });
    expect(users.body.data.length).toBeLessThanOrEqual(100);
  });

  it('refuse a cursor that is not one of this list with 422', async () => {
    const admin = await makeAdmin();
    await makeLot(admin);
    await makeLot(admin);
    const lotsCursor = (await call('GET', '/parking-lots?limit=1')).body.next_cursor;
    for (const cursor of ['nonsense', 'eyJsIjoidXNlcnMiLCJrIjpbIngiXX0', lotsCursor]) {
      const res = await call('GET', `/users?cursor=${encodeURIComponent(cursor)}`, { token: admin.token });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'cursor', in: 'query' })]);
    }
  });

  it('walking every page of GET /users while users are created and deleted returns each user once', async () => {
    const admin = await makeAdmin();
    const doomed = await Promise.all(Array.from({ length: 10 }, () => makeUser()));
    const before = (await everyRow('/users', { token: admin.token })).map((u: { id: number }) => u.id);
    // Walk in small pages while others sign up and the doomed users are deleted.
    const seen: number[] = [];
    let cursor: string | null = null;
    let step = 0;
    do {
      const churn =
        step < doomed.length
          ? Promise.all([makeUser(), call('DELETE', `/users/${doomed[step]!.id}`, { token: admin.token })])
          : Promise.resolve();
      const res: any = await call('GET', `/users?limit=25${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
      await churn;
      seen.push(...res.body.data.map((u: { id: number }) => u.id));
      cursor = res.body.next_cursor;
      step += 1;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length); // nothing repeated
    const deleted = new Set(doomed.map((u) => u.id));
    const missing = before.filter((id) => !deleted.has(id) && !seen.includes(id));
    expect(missing).toEqual([]); // nothing that stayed was skipped
  });

  it('of reservations: newest first, the filters kept from page to page', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 5 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/reservations', { token: user.token, body: { lot_id: lot.id, vehicle_plate: unique('PG').toUpperCase().slice(-12) } });
      ids.push(r.body.id);
    }
    const mine = await everyRow(`/reservations?lot_id=${lot.id}`, { token: user.token, limit: 2 });
    expect(mine.map((r: { id: number }) => r.id)).toEqual([...ids].reverse());
  });
});
