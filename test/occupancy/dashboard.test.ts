// The dashboard with `?lot=`: the lot's last 24 hours in its JSON (as the occupancy endpoint answers them) and
// as a chart on its page, a point per hour; an unknown lot is 404 in JSON and a sentence on the page.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';

const HOUR = 3_600_000;
const page = (token: string, query: string) => call('GET', `/admin/redis-dashboard${query}`, { token, headers: { accept: 'text/html' } });

describe('the dashboard with a lot', () => {
  it("adds the lot's last 24 hours to the JSON and draws them, one point per hour", async () => {
    if (HOUR - (Date.now() % HOUR) < 20_000) await new Promise((resolve) => setTimeout(resolve, 21_000));
    const H = Date.now() - (Date.now() % HOUR);
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 6 });
    await sql`INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
              VALUES (${lot.id}, ${new Date(H - 30 * HOUR).toISOString()}, 1, 4, 7200, 3, 6, ${new Date(H - 30 * HOUR + 1800_000).toISOString()})`;
    const json = await call('GET', `/admin/redis-dashboard?lot=${lot.id}`, { token: admin.token });
    expect(json.status).toBe(200);
    const hours = json.body.lot_occupancy.hours as { hour: string; avg_occupied: number }[];
    expect(hours).toHaveLength(25); // the 24 hours before this one, and this one
    expect(hours[0]).toMatchObject({ hour: new Date(H - 24 * HOUR).toISOString(), avg_occupied: 3, min_occupied: 3, max_occupied: 3, capacity: 6 });
    const own = await call('GET', `/parking-lots/${lot.id}/occupancy?from=${hours[0]!.hour}`);
    expect(own.body.hours.slice(0, 24)).toEqual(hours.slice(0, 24));

    const html = (await page(admin.token, `?lot=${lot.id}`)).text;
    const chart = /<svg data-chart="occupancy"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    const points = [...chart.matchAll(/<circle data-point="" data-hour="([^"]+)" data-value="([^"]+)"/g)];
    expect(points.map((p) => [p[1], Number(p[2])])).toEqual(hours.map((h) => [h.hour, h.avg_occupied]));
    // Without `lot` the page has the form and no chart, and the JSON no occupancy.
    expect((await page(admin.token, '')).text).not.toContain('data-chart="occupancy"');
    expect((await page(admin.token, '')).text).toContain('id="occupancy-lot"');
    expect((await call('GET', '/admin/redis-dashboard', { token: admin.token })).body).not.toHaveProperty('lot_occupancy');
  });

  it('answers an unknown lot with 404 (JSON) or a sentence (page), a malformed one with 422, and no one but an admin', async () => {
    const admin = await makeAdmin();
    const unknown = await call('GET', '/admin/redis-dashboard?lot=2147483000', { token: admin.token });
    expect(unknown.status).toBe(404);
    const shown = await page(admin.token, '?lot=2147483000');
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('There is no parking lot 2147483000.');
    expect((await call('GET', '/admin/redis-dashboard?lot=abc', { token: admin.token })).status).toBe(422);
    const user = await makeUser();
    expect((await call('GET', '/admin/redis-dashboard?lot=1', { token: user.token })).status).toBe(403);
  });
});
