// GET /admin/redis-dashboard as JSON (for scripts), and the browser sign-in over plain HTTP: cookie
// attributes, CSRF, who may see what. The page in a real browser is tested in test/browser/.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, type TestUser } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const json = { accept: 'application/json' };
const page = { accept: 'text/html,application/xhtml+xml' };

function cookiesOf(res: { headers: Headers }): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    jar[pair!.slice(0, at)] = pair!.slice(at + 1);
  }
  return jar;
}

async function signIn(user: TestUser, options: { origin?: string } = {}) {
  const form = await call('GET', '/admin/redis-dashboard', { headers: page });
  const csrf = cookiesOf(form).parkedge_csrf!;
  expect(form.text).toContain(`value="${csrf}"`);
  const body = new URLSearchParams({ email: user.email, password: user.password, csrf }).toString();
  return call('POST', '/admin/sign-in', {
    rawBody: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `parkedge_csrf=${csrf}`, origin: options.origin ?? 'http://parkedge.test' },
  });
}

describe('the JSON', () => {
  it('gives the admin every section with real figures', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    await book(user, (await makeLot(admin)).id);
    const res = await call('GET', '/admin/redis-dashboard', { token: admin.token, headers: json });
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.redis).toMatchObject({ available: true, version: expect.stringMatching(/^\d/), keys: expect.any(Number) });
    expect(d.redis.used_memory_bytes).toBeGreaterThan(0);
    expect(d.metrics.total_api_calls).toBeGreaterThan(0);
    expect(d.metrics.total_reservations).toBeGreaterThan(0);
    for (const metric of ['logins', 'registrations', 'reservations']) {
      expect(d.daily[metric]).toHaveLength(30);
      expect(d.daily[metric][29].day).toBe(new Date().toISOString().slice(0, 10));
    }
    expect(d.daily.reservations[29].value).toBeGreaterThan(0);
    expect(d.response_codes.find((r: { status: number }) => r.status === 201).count).toBeGreaterThan(0);
    expect(d.top_endpoints.length).toBeGreaterThan(0);
    expect(d.top_endpoints.length).toBeLessThanOrEqual(10);
    const namespaces = d.cache.namespaces.map((n: { namespace: string }) => n.namespace);
    expect(namespaces).toEqual(expect.arrayContaining(['endpoint_calls', 'rate_limit']));
    const userNs = d.cache.namespaces.find((n: { namespace: string }) => n.namespace === 'user_session');
    if (userNs) expect(userNs.max_ttl_seconds).toBeLessThanOrEqual(12 * 3600);
    expect(d.active_users).toBeGreaterThan(0);
  });

  it('is refused to anonymous callers (401) and to users (403)', async () => {
    expect((await call('GET', '/admin/redis-dashboard', { headers: json })).status).toBe(401);
    const user = await makeUser();
    const res = await call('GET', '/admin/redis-dashboard', { token: user.token, headers: json });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('says Redis is unavailable, and still shows what Postgres holds', async () => {
    const admin = await makeAdmin();
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const res = await call('GET', '/admin/redis-dashboard', { env, token: admin.token, headers: json });
    expect(res.status).toBe(200);
    expect(res.body.redis).toMatchObject({ available: false, error: expect.any(String) });
    expect(res.body.metrics).toBeNull();
    expect(res.body.daily.logins).toHaveLength(30);
  });

  it('costs one Redis round trip and no Postgres query while the snapshot is cached', async () => {
    const admin = await makeAdmin();
    const scope = tagged();
    const get = () => call('GET', '/admin/redis-dashboard', { env: scope.env, token: admin.token, headers: json });
    await get();
    await get(); // the session is cached now, and the snapshot
    const first = await scope.count(get);
    expect(first.result.headers.get('x-redis-round-trips')).toBe('1');
    expect(first.neon).toBe(0);
  });
});

describe('browser sign-in', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict cookie scoped to /admin that shows the dashboard', async () => {
    const admin = await makeAdmin();
    const res = await signIn(admin);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/redis-dashboard');
    const line = res.headers.getSetCookie().find((l) => l.startsWith('parkedge_admin='))!;
    expect(line).toMatch(/Path=\/admin/);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/SameSite=Strict/);
    const cookie = `parkedge_admin=${cookiesOf(res).parkedge_admin}`;
    const dashboard = await call('GET', '/admin/redis-dashboard', { headers: { ...page, cookie } });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(dashboard.text).toContain('id="dashboard"');
  });

  it('the cookie authorises no API call and no write', async () => {
    const admin = await makeAdmin();
    const cookie = `parkedge_admin=${cookiesOf(await signIn(admin)).parkedge_admin}`;
    expect((await call('GET', '/auth/me', { headers: { cookie } })).status).toBe(401);
    const write = await call('POST', '/parking-lots', { headers: { cookie }, body: { name: 'x', address: 'a', pin_code: '560001', price_per_hour_cents: 1, capacity: 1 } });
    expect(write.status).toBe(401);
    expect((await call('GET', '/users', { headers: { cookie } })).status).toBe(401);
  });

  it('refuses a non-admin (403, no cookie), a wrong password (401), a forged form (403)', async () => {
    const user = await makeUser();
    const refused = await signIn(user);
    expect(refused.status).toBe(403);
    expect(cookiesOf(refused).parkedge_admin).toBeUndefined();
    const admin = await makeAdmin();
    const wrong = await signIn({ ...admin, password: 'not-it-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('data-testid="sign-in-error"');
    const crossSite = await signIn(admin, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const noToken = await call('POST', '/admin/sign-in', {
      rawBody: new URLSearchParams({ email: admin.email, password: admin.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(noToken.status).toBe(403);
    expect(cookiesOf(noToken).parkedge_admin).toBeUndefined();
  });

  it("accepts a browser's same-origin form sent with Origin: null (the pages' no-referrer policy)", async () => {
    const admin = await makeAdmin();
    const form = await call('GET', '/admin/redis-dashboard', { headers: page });
    const csrf = cookiesOf(form).parkedge_csrf!;
    const res = await call('POST', '/admin/sign-in', {
      rawBody: new URLSearchParams({ email: admin.email, password: admin.password, csrf }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `parkedge_csrf=${csrf}`, origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(303);
    const forged = await call('POST', '/admin/sign-in', {
      rawBody: new URLSearchParams({ email: admin.email, password: admin.password, csrf }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `parkedge_csrf=${csrf}`, origin: 'null', 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
  });

  it('signing out ends the session and clears the cookie; the form is back', async () => {
    const admin = await makeAdmin();
    const signedIn = await signIn(admin);
    const jar = cookiesOf(signedIn);
    const form = await call('GET', '/admin/redis-dashboard', { headers: { ...page, cookie: `parkedge_admin=${jar.parkedge_admin}` } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? cookiesOf(form).parkedge_csrf;
    const out = await call('POST', '/admin/sign-out', {
      rawBody: new URLSearchParams({ csrf: csrf! }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `parkedge_admin=${jar.parkedge_admin}; parkedge_csrf=${csrf}`, origin: 'http://parkedge.test' },
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().some((l) => l.startsWith('parkedge_admin=;') || /parkedge_admin=.*Max-Age=0/.test(l))).toBe(true);
    const after = await call('GET', '/admin/redis-dashboard', { headers: { ...page, cookie: `parkedge_admin=${jar.parkedge_admin}` } });
    expect(after.status).toBe(200);
    expect(after.text).toContain('id="sign-in"');
  });
});
