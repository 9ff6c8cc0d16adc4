// What a person does on the admin pages, by the elements of the dashboard's DOM contract: open the dashboard,
// fill in the sign-in form, sign out, read the headline numbers.
import type { BrowserContext, Cookie, Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { origin, type Account } from './api.ts';

export const DASHBOARD = `${origin}/admin/redis-dashboard`;
export const COOKIE = 'parkedge_admin';

export const HEADLINE_METRICS = [
  'total_api_calls',
  'total_reservations',
  'total_logins',
  'total_registrations',
  'active_users',
  'cache_hit_rate',
  'rate_limit_violations',
] as const;

/** Opens (or reloads) the dashboard URL as a browser navigation; returns the document's response. */
export async function openDashboard(page: Page): Promise<Response> {
  const response = await page.goto(DASHBOARD);
  if (!response) throw new Error('no response for the dashboard');
  return response;
}

export interface Submitted {
  /** The answer to the form's POST itself (303 on success). */
  post: Response;
}

/** Submits a form with its button and waits for the page that follows to load. */
async function submit(page: Page, formSelector: string, action: string): Promise<Submitted> {
  // Together, so that a missing button fails the test once instead of leaving the waits to time out unhandled.
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    page.waitForEvent('load'),
    page.locator(`${formSelector} button`).first().click(),
  ]);
  return { post };
}

/** Fills in and submits the sign-in form shown on the page. */
export async function submitSignIn(page: Page, account: Account): Promise<Submitted> {
  await page.locator('form#sign-in input[name=email]').fill(account.email);
  await page.locator('form#sign-in input[name=password]').fill(account.password);
  return submit(page, 'form#sign-in', '/admin/sign-in');
}

/** Opens the dashboard anonymously, signs in through the form and checks that the dashboard is shown. */
export async function signIn(page: Page, account: Account): Promise<void> {
  await openDashboard(page);
  const { post } = await submitSignIn(page, account);
  const error = post.status() === 303 ? '' : (await page.locator('[data-testid=sign-in-error]').allInnerTexts()).join(' ');
  expect(post.status(), `signing in through the form${error ? ` (the page says: ${error})` : ''}`).toBe(303);
  expect(await page.locator('main#dashboard').count()).toBe(1);
}

export function signOut(page: Page): Promise<Submitted> {
  return submit(page, 'form#sign-out', '/admin/sign-out');
}

export async function sessionCookie(context: BrowserContext): Promise<Cookie | undefined> {
  return (await context.cookies(DASHBOARD)).find((cookie) => cookie.name === COOKIE);
}

export type Headlines = Record<(typeof HEADLINE_METRICS)[number], number | null>;

/** The headline numbers of the page, from their `data-value` (null: empty, no value). */
export async function headlinesOnPage(page: Page): Promise<Headlines> {
  const entries = await Promise.all(
    HEADLINE_METRICS.map(async (metric) => {
      const raw = await page.locator(`main#dashboard [data-metric="${metric}"]`).first().getAttribute('data-value');
      return [metric, raw === null || raw.trim() === '' ? null : Number(raw)] as const;
    }),
  );
  return Object.fromEntries(entries) as Headlines;
}

/** The same numbers in the endpoint's JSON (`metrics`; null when Redis could not be asked). */
export function headlinesOfJson(json: any): Headlines {
  const entries = HEADLINE_METRICS.map((metric) => [metric, json.metrics?.[metric] ?? json[metric] ?? null] as const);
  return Object.fromEntries(entries) as Headlines;
}
