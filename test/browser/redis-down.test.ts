// The dashboard when Redis goes away for real (the Upstash stand-in in front of the Worker's Redis refuses
// every connection) and comes back, and how the page looks on a desktop and on a phone either way: the
// screenshots go to test/artifacts/ (ignored by git) for a person to look at.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, makeTraffic, newAdmin, setRedisFault } from './helpers/api.ts';
import { openDashboard, signIn } from './helpers/admin-pages.ts';
import { ARTIFACTS, DESKTOP, launchChromium, openPage, PHONE } from './helpers/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await makeTraffic();
});
afterEach(async () => {
  // Whatever happened, the next test finds Redis reachable (and the breaker closed again).
  await setRedisFault('none');
  await expect.poll(async () => (await api('GET', '/health/redis')).status, { timeout: 30_000, interval: 200 }).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

const banner = (page: Page) => page.locator('[data-testid=redis-down]');

/** Lifts the fault and reloads until the dashboard has Redis again (after the breaker's 500 ms cool-down). */
async function bringRedisBack(page: Page): Promise<void> {
  await setRedisFault('none');
  await expect
    .poll(async () => {
      await openDashboard(page);
      return banner(page).count();
    }, { timeout: 30_000, interval: 300 })
    .toBe(0);
}

/** Nothing wider than the screen: no sideways scrolling, both charts (where drawn) inside the viewport. */
async function expectFitsViewport(page: Page, width: number): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth'), 'page width').toBeLessThanOrEqual(width);
  for (const chart of ['daily', 'response-codes']) {
    for (const svg of await page.locator(`svg[data-chart="${chart}"]`).all()) {
      const box = await svg.boundingBox();
      expect(box, `${chart} chart has a box`).not.toBeNull();
      expect(box!.width, `${chart} chart width`).toBeGreaterThan(0);
      expect(box!.x, `${chart} chart left edge`).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, `${chart} chart right edge`).toBeLessThanOrEqual(width + 0.5);
    }
  }
}

describe('Redis unreachable', () => {
  it('shows the Redis-down banner while Redis is down, and not after it is back and the cool-down passed', async () => {
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    expect(await banner(page).count()).toBe(0);
    expect(await page.locator('section#redis-server').innerText()).not.toMatch(/unavailable/i);

    await setRedisFault('refuse');
    const response = await openDashboard(page);
    expect(response.status()).toBe(200);
    expect(await page.locator('main#dashboard').count()).toBe(1); // still signed in: sessions live in Postgres
    expect(await banner(page).isVisible()).toBe(true);
    expect(await banner(page).getAttribute('role')).toBe('alert');
    expect(await page.locator('section#redis-server').innerText()).toMatch(/unavailable/i);
    // The daily chart still has its 30 days × 3 series, from what Postgres holds.
    expect(await page.locator('svg[data-chart="daily"] circle[data-point]').count()).toBe(90);

    await bringRedisBack(page);
    expect(await page.locator('main#dashboard').count()).toBe(1);
    expect(await page.locator('section#redis-server').innerText()).not.toMatch(/unavailable/i);
    await context.close();
  });
});

describe('layout on a desktop and on a phone', () => {
  for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const width = options.viewport!.width;
    it(`fits a ${device} screen (${width} px) with Redis up and with Redis down`, async () => {
      const admin = await newAdmin();
      const { context, page } = await openPage(browser, options);

      await openDashboard(page);
      await expectFitsViewport(page, width);
      await page.screenshot({ path: `${ARTIFACTS}sign-in-${device}.png`, fullPage: true });

      await signIn(page, admin);
      expect(await banner(page).count()).toBe(0);
      expect(await page.locator('svg[data-chart]').count()).toBe(2);
      await expectFitsViewport(page, width);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-${device}-redis-up.png`, fullPage: true });

      await setRedisFault('refuse');
      await openDashboard(page);
      expect(await banner(page).isVisible()).toBe(true);
      await expectFitsViewport(page, width);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-${device}-redis-down.png`, fullPage: true });

      await bringRedisBack(page);
      await context.close();
    });
  }
});
