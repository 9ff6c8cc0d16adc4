// The dashboard page of a signed-in admin in a real browser: its numbers against the endpoint's JSON, both
// charts, what its cookie may not do, and that it loads nothing from anywhere else.
import { isDeepStrictEqual } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, bearerToken, dashboardJson, lotWithHistory, makeTraffic, newAdmin, origin, unique } from './helpers/api.ts';
import { COOKIE, headlinesOfJson, headlinesOnPage, openDashboard, sessionCookie, signIn, signOut, submitSignIn } from './helpers/admin-pages.ts';
import { ARTIFACTS, launchChromium, openPage } from './helpers/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await makeTraffic();
});
afterAll(async () => {
  await browser?.close();
});

/** Waits until the snapshot the endpoint serves (cached for a few seconds) counts registrations and bookings. */
async function untilSnapshotHasTraffic(token: string): Promise<void> {
  await expect
    .poll(async () => {
      const { metrics } = await dashboardJson(token);
      return Math.min(metrics?.total_registrations ?? 0, metrics?.total_reservations ?? 0);
    }, { timeout: 30_000, interval: 250 })
    .toBeGreaterThan(0);
}

describe('the dashboard page', () => {
  it('shows the headline numbers of the JSON of the same endpoint', async () => {
    const admin = await newAdmin();
    const token = await bearerToken(admin);
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    await untilSnapshotHasTraffic(token);

    // The page and the JSON share one snapshot, cached for `cache_seconds`. The page must show the snapshot of
    // the JSON fetched right after it, or the one just before (when the cache turned over in between).
    const before = headlinesOfJson(await dashboardJson(token));
    await openDashboard(page);
    const shown = await headlinesOnPage(page);
    const after = headlinesOfJson(await dashboardJson(token));
    const match = [after, before].find((snapshot) => isDeepStrictEqual(snapshot, shown));
    expect(shown, 'the page shows the numbers of the JSON fetched right after it (or of the snapshot before)').toEqual(match ?? after);

    expect(shown.total_api_calls).toBeGreaterThan(0);
    expect(shown.total_registrations).toBeGreaterThan(0);
    expect(shown.total_reservations).toBeGreaterThan(0);
    expect(shown.total_logins).toBeGreaterThan(0);
    // The visible text is the number (perhaps with separators), not only the attribute.
    const registrations = page.locator('main#dashboard [data-metric="total_registrations"]').first();
    expect((await registrations.innerText()).replace(/[^0-9]/g, '')).toContain(String(shown.total_registrations));
    await context.close();
  });

  it('draws the daily chart (30 days × 3 series) and the response-code bars with data points', async () => {
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    await untilSnapshotHasTraffic(await bearerToken(admin));
    await openDashboard(page);

    const points = await page.locator('svg[data-chart="daily"] circle[data-point]').all();
    expect(points).toHaveLength(90);
    const today = new Date().toISOString().slice(0, 10);
    const bySeries = new Map<string, string[]>();
    const values: number[] = [];
    for (const point of points) {
      const series = (await point.getAttribute('data-series')) ?? '';
      bySeries.set(series, [...(bySeries.get(series) ?? []), (await point.getAttribute('data-day')) ?? '']);
      values.push(Number(await point.getAttribute('data-value')));
      const box = await point.boundingBox();
      expect(box && box.width > 0 && box.height > 0, `point ${series} is drawn`).toBe(true);
    }
    expect([...bySeries.keys()].sort()).toEqual(['logins', 'registrations', 'reservations']);
    for (const [series, days] of bySeries) {
      expect(new Set(days).size, `${series}: 30 different days`).toBe(30);
      expect(days.every((day) => /^\d{4}-\d{2}-\d{2}$/.test(day))).toBe(true);
      expect(days.toSorted().at(-1), `${series} ends today (UTC)`).toBe(today);
    }
    expect(values.every((value) => Number.isInteger(value) && value >= 0)).toBe(true);
    expect(values.some((value) => value > 0)).toBe(true);
    for (const series of ['logins', 'registrations', 'reservations']) {
      expect(await page.locator(`svg[data-chart="daily"] :is(polyline, path)[data-series="${series}"]`).count(), `${series} line`).toBe(1);
    }

    const bars = await page.locator('svg[data-chart="response-codes"] rect[data-bar]').all();
    expect(bars.length).toBeGreaterThanOrEqual(2);
    const statuses: string[] = [];
    for (const bar of bars) {
      statuses.push((await bar.getAttribute('data-status')) ?? '');
      expect(Number(await bar.getAttribute('data-value'))).toBeGreaterThan(0);
      const box = await bar.boundingBox();
      expect(box && box.width > 0 && box.height > 0, `bar ${statuses.at(-1)} is drawn`).toBe(true);
    }
    expect(statuses).toEqual(expect.arrayContaining(['200', '201']));
    await context.close();
  });

  it("draws a lot's occupancy of the last 24 hours, a point per hour, for the lot chosen in its form", async () => {
    const lot = await lotWithHistory();
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    await openDashboard(page);
    expect(await page.locator('svg[data-chart="occupancy"]').count()).toBe(0);
    // The form is a plain GET: no script runs on the page.
    await page.locator('form#occupancy-lot input[name="lot"]').fill(String(lot.id));
    await Promise.all([page.waitForURL(/[?&]lot=\d+/), page.locator('form#occupancy-lot button[type="submit"]').click()]);
    expect(new URL(page.url()).searchParams.get('lot')).toBe(String(lot.id));

    const chart = page.locator(`svg[data-chart="occupancy"][data-lot="${lot.id}"]`);
    expect(await chart.count()).toBe(1);
    const points = await chart.locator('circle[data-point]').all();
    expect(points).toHaveLength(lot.hours);
    const json = (await api('GET', `/admin/redis-dashboard?lot=${lot.id}`, { token: await bearerToken(admin) })).body;
    const shown: [string, number][] = [];
    for (const point of points) {
      shown.push([(await point.getAttribute('data-hour')) ?? '', Number(await point.getAttribute('data-value'))]);
      const box = await point.boundingBox();
      expect(box && box.width > 0 && box.height > 0, `point ${shown.at(-1)![0]} is drawn`).toBe(true);
    }
    // The page's figures are the JSON's, hour by hour; the hour under way may have moved on in between (its
    // average too), the hours before it have not.
    const byHour = new Map<string, number>(json.lot_occupancy.hours.map((h: { hour: string; avg_occupied: number }) => [h.hour, h.avg_occupied]));
    const complete = shown.slice(0, -1).filter(([hour]) => byHour.has(hour));
    expect(complete.length).toBeGreaterThanOrEqual(23);
    for (const [hour, value] of complete) expect(value, hour).toBe(byHour.get(hour));
    await chart.screenshot({ path: `${ARTIFACTS}occupancy-chart.png` });
    expect(shown[0]![1]).toBe(4); // 30 hours ago the lot was left with 4 spots taken, and nothing changed since
    await context.close();
  });

  it('loads nothing from another origin during the whole visit', async () => {
    const admin = await newAdmin();
    const { context, page, requests } = await openPage(browser);
    await openDashboard(page);
    await submitSignIn(page, { email: admin.email, password: 'not-the-password' });
    await submitSignIn(page, admin);
    await openDashboard(page);
    await signOut(page);
    expect(await page.locator('form#sign-in').count()).toBe(1);

    expect(requests.length).toBeGreaterThanOrEqual(6);
    const foreign = requests.filter((url) => !url.startsWith(`${origin}/`));
    expect(foreign).toEqual([]);
    await context.close();
  });
});

describe('the dashboard cookie', () => {
  it('does not authorise an API write, sent or not by the browser', async () => {
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    const cookie = (await sessionCookie(context))!;
    const lot = { name: unique('Cookie lot '), address: '1 Cookie Street', pin_code: '560001', price_per_hour_cents: 500, capacity: 2 };

    // From the page's context with its cookies (the browser applies Path=/admin: the cookie stays home).
    const withJar = await page.request.post(`${origin}/parking-lots`, { data: lot });
    expect(withJar.status()).toBe(401);
    // The cookie sent on purpose: the API still wants a bearer token.
    const withCookie = await page.request.post(`${origin}/parking-lots`, { data: lot, headers: { cookie: `${COOKIE}=${cookie.value}` } });
    expect(withCookie.status()).toBe(401);

    // The cookie itself is alive: it still opens the dashboard.
    await openDashboard(page);
    expect(await page.locator('main#dashboard').count()).toBe(1);
    await context.close();
  });
});
