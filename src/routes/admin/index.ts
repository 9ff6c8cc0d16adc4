// The admin dashboard: GET /admin/redis-dashboard (JSON for scripts, a page for browsers), and the browser
// sign-in and sign-out forms that set and clear its session cookie.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { AppError } from '../../errors.ts';
import { adminSessionToken, clearAdminSession, csrfToken, csrfValid, setAdminSession } from './cookies.ts';
import { clientIp, rateLimitHeaders } from '../../middleware/gate.ts';
import { keys } from '../../redis/keys.ts';
import { login, LoginRefused } from '../../services/auth/login.ts';
import { logout } from '../../services/auth/logout.ts';
import { parseToken } from '../../services/auth/tokens.ts';
import { dashboardFor } from '../../services/dashboard/gather.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, jsonResponse } from '../openapi.ts';
import { DashboardSchema, type Dashboard } from '../../schemas/dashboard.ts';
import { ErrorSchema } from '../../schemas/errors.ts';
import { DbIdText, Email } from '../../schemas/fields.ts';
import { getOccupancy } from '../../services/lots/occupancy.ts';
import type { Occupancy } from '../../schemas/occupancy.ts';
import { adminPageHeaders, renderDashboardPage, renderForbiddenPage, renderSignInPage } from './pages/index.ts';

const DASHBOARD = '/admin/redis-dashboard';
const DAY_MS = 86_400_000;

const html = { 'text/html': { schema: z.string() } };
/** An answer that is a page for a browser, and the error envelope otherwise (e.g. a malformed bearer token). */
const pageOrEnvelope = { ...html, 'application/json': { schema: ErrorSchema } };

const DashboardQuery = z.object({
  lot: DbIdText.optional().meta({ param: { name: 'lot', in: 'query' }, description: "A lot whose last 24 hours' occupancy to add." }),
});

const dashboardRoute = defineRoute(
  {
    method: 'get',
    path: DASHBOARD,
    tags: ['Admin dashboard'],
    summary: 'Redis and application metrics (admin): JSON, or a page for browsers',
    description:
      'JSON by default. With `Accept: text/html` a server-rendered page with charts; a browser that is not signed in gets the sign-in form, which sets an HttpOnly, Secure, SameSite=Strict cookie scoped to /admin. The data is gathered in a bounded number of Redis round trips (the keyspace is sampled by at most 4 SCAN pages) and one Postgres query, and cached for 5 seconds. With `?lot=<id>` it also has that lot\'s occupancy over the last 24 hours (`lot_occupancy`; on the page, a chart), read afresh with one more query; an unknown lot is 404 (the page says so instead).',
    request: { query: DashboardQuery },
    responses: {
      200: { description: 'The dashboard (or, for a browser not signed in, the sign-in page)', content: { ...jsonResponse('', DashboardSchema).content, ...html } },
      ...errors('unauthorized', 'forbidden', 'not_found'),
      403: { description: 'Signed in, but not an admin (`forbidden`; for a browser, a page saying so)', content: pageOrEnvelope },
    },
  },
  { access: 'anyone', cookie: adminSessionToken, prefetch: () => [keys.dashboard] },
);

const FormBody = z.object({ email: z.string().max(254).optional(), password: z.string().max(128).optional(), csrf: z.string().max(128).optional() });
const form = (schema: z.ZodType) => ({ required: false, content: { 'application/x-www-form-urlencoded': { schema } } });
const redirect = { description: 'Done: go to the dashboard (303)' };

const signInRoute = defineRoute(
  {
    method: 'post',
    path: '/admin/sign-in',
    tags: ['Admin dashboard'],
    summary: "The dashboard's sign-in form (browsers)",
    description: 'Admins only; protected against CSRF (same origin and a token echoed from a cookie); failures limited like /auth/login. Answers with the page again on failure.',
    request: { body: form(FormBody) },
    responses: {
      ...errors('unsupported_media_type'),
      303: redirect,
      400: { description: 'Form incomplete (a page); or a body that cannot be read as a form (the JSON envelope, `invalid_form`)', content: pageOrEnvelope },
      401: { description: 'Wrong email or password (a page); or a malformed bearer token (the JSON envelope)', content: pageOrEnvelope },
      403: { description: 'Not an admin, or a forged form', content: html },
      429: { description: 'Too many failed sign-ins (a page); or too many requests from this IP (the JSON envelope)', content: pageOrEnvelope },
    },
  },
  { access: 'anyone' },
);

const signOutRoute = defineRoute(
  {
    method: 'post',
    path: '/admin/sign-out',
    tags: ['Admin dashboard'],
    summary: "The dashboard's sign-out form (browsers)",
    request: { body: form(FormBody.pick({ csrf: true })) },
    responses: { 303: redirect, 403: { description: 'A forged form', content: html }, ...errors('invalid_form', 'unauthorized', 'unsupported_media_type') },
  },
  { access: 'anyone' },
);

function wantsPage(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/html');
}

async function page(c: Context<AppEnv>, body: string | Promise<string>, status: 200 | 400 | 401 | 403 | 429 = 200): Promise<Response> {
  c.header('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(adminPageHeaders())) c.header(name, value);
  return c.html(await body, status);
}

async function formFields(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  return (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
}

export function registerAdminRoutes(app: OpenAPIHono<AppEnv>): void {
  serve(app, dashboardRoute, async (c) => {
    const user = c.var.user;
    if (!user) {
      if (!wantsPage(c)) throw new AppError('unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
      if (adminSessionToken(c)) clearAdminSession(c);
      return page(c, renderSignInPage({ csrf: csrfToken(c) }));
    }
    // The lot first: an unknown one is a 404 that leaves the snapshot's cache entry as it was. Only for an admin
    // (dashboardFor refuses anyone else before any work).
    const lot = user.role === 'admin' ? c.req.valid('query').lot : undefined;
    let occupancy: Occupancy | undefined;
    let missingLot: number | undefined;
    if (lot !== undefined) {
      try {
        occupancy = await getOccupancy(c.var.deps, lot, { from: Date.now() - DAY_MS, to: Date.now() });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'not_found' && wantsPage(c))) throw error;
        missingLot = lot;
      }
    }
    let data: Dashboard;
    try {
      data = await dashboardFor(c.var.deps, user, c.var.endpoints);
    } catch (error) {
      if (error instanceof AppError && error.code === 'forbidden' && wantsPage(c)) return page(c, renderForbiddenPage({ csrf: csrfToken(c), user }), 403);
      throw error;
    }
    if (occupancy) data = { ...data, lot_occupancy: occupancy };
    if (!wantsPage(c)) return c.json(data, 200);
    return page(c, renderDashboardPage(data, { csrf: csrfToken(c), user, ...(missingLot === undefined ? {} : { missingLot }) }));
  });

  serve(app, signInRoute, async (c) => {
    const fields = await formFields(c);
    const typed = typeof fields.email === 'string' ? fields.email.trim() : '';
    const parsed = Email.safeParse(typed);
    const email = parsed.success ? parsed.data : '';
    const password = typeof fields.password === 'string' ? fields.password : '';
    const again = (error: string, status: 400 | 401 | 403 | 429) => page(c, renderSignInPage({ csrf: csrfToken(c), error, email }), status);
    if (!csrfValid(c, fields.csrf)) return again('The form has expired. Please sign in again.', 403);
    if (!email || !password) return again(typed ? 'Enter a valid email address and your password.' : 'Enter your email and your password.', 400);
    try {
      const session = await login(c.var.deps, clientIp(c), email, password, { adminOnly: true });
      setAdminSession(c, session.token);
      return c.redirect(DASHBOARD, 303);
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      rateLimitHeaders(c, error.limit);
      if (error.code === 'rate_limited') return again('Too many failed sign-ins. Wait a few minutes and try again.', 429);
      if (error.code === 'forbidden') return again('Only admins may sign in to the dashboard.', 403);
      return again('The email or the password is wrong.', 401);
    }
  });

  serve(app, signOutRoute, async (c) => {
    const fields = await formFields(c);
    if (!csrfValid(c, fields.csrf)) return page(c, renderSignInPage({ csrf: csrfToken(c), error: 'The form has expired.' }), 403);
    const token = parseToken(adminSessionToken(c) ?? '');
    if (token) await logout(c.var.deps, token.userId, token.hash);
    clearAdminSession(c);
    return c.redirect(DASHBOARD, 303);
  });
}
