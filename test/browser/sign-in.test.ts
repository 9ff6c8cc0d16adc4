// Signing in to and out of the admin dashboard in a real browser: the form, the session cookie's attributes,
// who gets in, and the failed sign-in limit shared with POST /auth/login.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newAdmin, newUser, seededAdmin, unique } from './helpers/api.ts';
import { COOKIE, DASHBOARD, openDashboard, sessionCookie, signIn, signOut, submitSignIn } from './helpers/admin-pages.ts';
import { launchChromium, openPage } from './helpers/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing in to the dashboard', () => {
  it('shows an anonymous visitor the sign-in form, and lands the seeded admin on the dashboard with a strict cookie', async () => {
    const { context, page } = await openPage(browser);
    const first = await openDashboard(page);
    expect(first.status()).toBe(200);
    const headers = await first.allHeaders();
    expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(headers['content-security-policy']).not.toMatch(/script-src/);
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
    expect(await page.locator('form#sign-in').count()).toBe(1);
    expect(await page.locator('form#sign-in').getAttribute('method')).toMatch(/^post$/i);
    expect(await page.locator('form#sign-in').getAttribute('action')).toBe('/admin/sign-in');
    expect(await page.locator('form#sign-in input[type=hidden][name=csrf]').getAttribute('value')).toBeTruthy();
    expect(await page.locator('main#dashboard').count()).toBe(0);
    expect(await sessionCookie(context)).toBeUndefined();

    const { post } = await submitSignIn(page, seededAdmin);
    expect(post.status()).toBe(303);
    expect(page.url()).toBe(DASHBOARD);
    expect(await page.locator('main#dashboard').count()).toBe(1);
    expect(await page.locator('form#sign-in').count()).toBe(0);

    const cookie = await sessionCookie(context);
    expect(cookie).toMatchObject({ name: COOKIE, httpOnly: true, secure: true, sameSite: 'Strict', path: '/admin' });
    expect(cookie!.value.length).toBeGreaterThan(0);
    // Max-Age=43200: a session cookie of 12 hours, kept across browser restarts.
    expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(43_200 - 600);
    expect(cookie!.expires - Date.now() / 1000).toBeLessThanOrEqual(43_200 + 5);
    await context.close();
  });

  it('refuses a non-admin with 403 and sets no cookie', async () => {
    const user = await newUser();
    const { context, page } = await openPage(browser);
    await openDashboard(page);
    // A wrong password first: the form itself goes through (401), so the 403 below is about the role.
    expect((await submitSignIn(page, { email: user.email, password: 'not-the-password' })).post.status()).toBe(401);
    const { post } = await submitSignIn(page, user);
    expect(post.status()).toBe(403);
    expect(await page.locator('main#dashboard').count()).toBe(0);
    expect(await page.locator('[data-testid=sign-in-error]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid=sign-in-error]').innerText()).toMatch(/admin/i);
    expect(await sessionCookie(context)).toBeUndefined();

    // Nothing was kept: the dashboard still asks for a sign-in.
    await openDashboard(page);
    expect(await page.locator('form#sign-in').count()).toBe(1);
    await context.close();
  });

  it('refuses a wrong password with 401 and the message on the form', async () => {
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await openDashboard(page);
    const { post } = await submitSignIn(page, { email: admin.email, password: 'not-the-password' });
    expect(post.status()).toBe(401);
    expect(await page.locator('[data-testid=sign-in-error]').isVisible()).toBe(true);
    expect(await page.locator('form#sign-in').count()).toBe(1);
    expect(await sessionCookie(context)).toBeUndefined();
    await context.close();
  });
});

describe('signing out', () => {
  it('gives the sign-in form back, and the old cookie no longer opens the dashboard', async () => {
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await signIn(page, admin);
    const cookie = (await sessionCookie(context))!;

    const { post } = await signOut(page);
    expect(post.status()).toBe(303);
    expect(page.url()).toBe(DASHBOARD);
    expect(await page.locator('form#sign-in').count()).toBe(1);
    expect(await page.locator('main#dashboard').count()).toBe(0);
    expect(await sessionCookie(context)).toBeUndefined();

    // Someone who kept a copy of the cookie: the session behind it has ended.
    const { context: other, page: replay } = await openPage(browser);
    await other.addCookies([cookie]);
    const response = await openDashboard(replay);
    expect(response.status()).toBe(200);
    expect(await replay.locator('form#sign-in').count()).toBe(1);
    expect(await replay.locator('main#dashboard').count()).toBe(0);
    await Promise.all([context.close(), other.close()]);
  });
});

describe('failed sign-ins', () => {
  it('are limited like POST /auth/login: after 10 failures the 11th attempt gets 429, even with the right password', async () => {
    // An account of its own: the limit counts per client IP and email.
    const admin = await newAdmin();
    const { context, page } = await openPage(browser);
    await openDashboard(page);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const { post } = await submitSignIn(page, { email: admin.email, password: `wrong-${unique('p')}` });
      expect(post.status(), `attempt ${attempt}`).toBe(401);
    }
    const { post } = await submitSignIn(page, admin);
    expect(post.status()).toBe(429);
    expect(await page.locator('form#sign-in').count()).toBe(1);
    expect(await page.locator('[data-testid=sign-in-error]').isVisible()).toBe(true);
    expect(await page.locator('main#dashboard').count()).toBe(0);
    expect(await sessionCookie(context)).toBeUndefined();
    // One limit for the form and the API: POST /auth/login from the same IP is refused as well.
    expect((await api('POST', '/auth/login', { body: admin })).status).toBe(429);
    await context.close();
  });
});
