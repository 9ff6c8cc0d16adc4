// The browser cookies of the admin pages. Both are HttpOnly, Secure, SameSite=Strict and scoped to /admin:
// the session cookie authorises GET pages under /admin only (the gate ignores it everywhere else), and the
// CSRF cookie carries the token the sign-in and sign-out forms must echo (double submit).
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../app-env.ts';
import { randomBase64url } from '../../services/auth/tokens.ts';

export const ADMIN_SESSION_COOKIE = 'parkedge_admin';
export const CSRF_COOKIE = 'parkedge_csrf';
const PATH = '/admin';
const SESSION_SECONDS = 12 * 60 * 60;

const attributes = { path: PATH, httpOnly: true, secure: true, sameSite: 'Strict' } as const;

export function adminSessionToken(c: Context<AppEnv>): string | undefined {
  return getCookie(c, ADMIN_SESSION_COOKIE);
}

export function setAdminSession(c: Context<AppEnv>, token: string): void {
  setCookie(c, ADMIN_SESSION_COOKIE, token, { ...attributes, maxAge: SESSION_SECONDS });
}

export function clearAdminSession(c: Context<AppEnv>): void {
  deleteCookie(c, ADMIN_SESSION_COOKIE, attributes);
}

/** The CSRF token of this browser, made (and set) if it has none yet. */
export function csrfToken(c: Context<AppEnv>): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
  const token = randomBase64url(32);
  setCookie(c, CSRF_COOKIE, token, attributes);
  return token;
}

/**
 * A form post is genuine when it comes from this origin (Origin, or Sec-Fetch-Site, when the browser sends
 * them) and echoes the CSRF cookie's token.
 */
export function csrfValid(c: Context<AppEnv>, submitted: unknown): boolean {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  // Under the pages' `Referrer-Policy: no-referrer` browsers send `Origin: null` even from the same origin;
  // Sec-Fetch-Site then still says where the form came from.
  const sameOrigin = origin === new URL(c.req.url).origin || (origin === 'null' && site === 'same-origin');
  if (origin !== undefined && !sameOrigin) return false;
  const expected = getCookie(c, CSRF_COOKIE);
  return typeof submitted === 'string' && expected !== undefined && submitted.length > 0 && submitted === expected;
}
