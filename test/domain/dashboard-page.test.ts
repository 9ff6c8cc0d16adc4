// The admin pages as the browser gets them: rendered from fixture data and read back with workerd's
// HTMLRewriter, against the DOM contract the route and the browser tests rely on.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminPageHeaders, renderDashboardPage, renderForbiddenPage, renderSignInPage } from '../../src/routes/admin/pages/index.ts';
import type { DailyMetrics } from '../../src/schemas/analytics.ts';
import type { Dashboard } from '../../src/schemas/dashboard.ts';

interface Found {
  attrs: Record<string, string>;
  text: string;
}

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Every element matching a CSS selector: its attributes and its text (descendants' included), decoded. */
async function select(html: string, selector: string): Promise<Found[]> {
  const found: Found[] = [];
  await new HTMLRewriter()
    .on(selector, {
      element(el) {
        found.push({ attrs: Object.fromEntries([...el.attributes].map(([k, v]) => [k, decode(v ?? '')])), text: '' });
      },
      text(chunk) {
        found[found.length - 1]!.text += decode(chunk.text);
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

const DAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2025, 1, 20) + i * 86_400_000).toISOString().slice(0, 10));
const daily = (f: (metric: string, i: number) => number): DailyMetrics => ({
  logins: DAYS.map((day, i) => ({ day, value: f('logins', i) })),
  registrations: DAYS.map((day, i) => ({ day, value: f('registrations', i) })),
  reservations: DAYS.map((day, i) => ({ day, value: f('reservations', i) })),
});
const counters = { total_api_calls: 12_345, 'api_calls:users:get': 40, 'api_calls:parking_lots:get': 900, total_logins: 321, total_logouts: 100,
  total_registrations: 87, users_created: 90, users_deleted: 3, parking_lots_created: 12, parking_lots_deleted: 1, total_reservations: 456,
  reservations_cancelled: 20, cache_hits: 600, cache_misses: 100, rate_limit_violations: 9 };

function redisUp(): Dashboard {
  return {
    generated_at: '2025-03-21T12:34:56.789Z',
    cache_seconds: 10,
    redis: { available: true, version: '7.2.4', mode: 'standalone', uptime_seconds: 1_234_567, used_memory_bytes: 1_363_148,
      used_memory_peak_bytes: 2_936_013, maxmemory_bytes: 0, connected_clients: 7, ops_per_sec: 42, total_commands_processed: 9_876_543,
      keyspace_hits: 1_234, keyspace_misses: 56, keys_per_db: { db0: 120, db3: 4 }, keys: 120 },
    metrics: { ...counters, cache_hit_rate: 0.8571, active_users: 14, response_codes: { 200: 9_000, 201: 800, 404: 120, 429: 9, 503: 1 }, endpoint_calls: {} },
    daily: daily((metric, i) => (metric === 'logins' ? 10 + (i % 7) : metric === 'registrations' ? i % 3 : i === 29 ? 41 : 5)),
    response_codes: [{ status: 200, count: 9_000 }, { status: 201, count: 800 }, { status: 404, count: 120 }, { status: 429, count: 9 }, { status: 503, count: 1 }],
    top_endpoints: [{ endpoint: 'GET /parking-lots/:id', count: 5_000 }, { endpoint: 'POST /reservations', count: 456 }],
    cache: { hits: 600, misses: 100, hit_rate: 0.8571, scanned_keys: 124, truncated: false, namespaces: [
      { namespace: 'parking_lot', keys: 12, keys_with_ttl: 12, min_ttl_seconds: 30, max_ttl_seconds: 598, avg_ttl_seconds: 301.4 },
      { namespace: 'rate_limit', keys: 20, keys_with_ttl: 0, min_ttl_seconds: null, max_ttl_seconds: null, avg_ttl_seconds: null },
    ] },
    active_users: 14,
    rate_limit_violations: 9,
  };
}

const redisDown = (): Dashboard => ({ ...redisUp(), redis: { available: false, error: 'Redis unreachable' }, metrics: null,
  response_codes: [], top_endpoints: [], cache: null, active_users: null, rate_limit_violations: null });

const options = { csrf: 'csrf-token-1', user: { email: 'ada@example.com', name: 'Ada' } };
const render = (data: Dashboard) => renderDashboardPage(data, options);
const metric = async (html: string, name: string) => (await select(html, `[data-metric="${name}"]`))[0];

describe('the dashboard page, Redis up', () => {
  it('shows every headline number with its raw value and a readable text', async () => {
    const html = await render(redisUp());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(await select(html, 'html[lang=en]')).toHaveLength(1);
    expect((await select(html, 'title'))[0]!.text).toMatch(/dashboard/i);
    expect(await select(html, 'main#dashboard')).toHaveLength(1);
    const expected: [string, string, string][] = [['total_api_calls', '12345', '12,345'], ['total_reservations', '456', '456'],
      ['total_logins', '321', '321'], ['total_registrations', '87', '87'], ['active_users', '14', '14'], ['cache_hit_rate', '0.8571', '85.7%'],
      ['rate_limit_violations', '9', '9']];
    for (const [name, value, text] of expected) {
      const found = await metric(html, name);
      expect(found?.attrs['data-value'], name).toBe(value);
      expect(found?.text.trim(), name).toBe(text);
    }
    expect(await select(html, '[data-testid=redis-down]')).toHaveLength(0);
  });

  it('draws the daily chart: a line and 30 points per series with their values, axes and a legend', async () => {
    const data = redisUp();
    const html = await render(data);
    expect(await select(html, 'svg[data-chart=daily]')).toHaveLength(1);
    const lines = await select(html, 'svg[data-chart=daily] polyline[data-series]');
    expect(lines.map((l) => l.attrs['data-series'])).toEqual(['logins', 'registrations', 'reservations']);
    const points = await select(html, 'svg[data-chart=daily] circle[data-point]');
    expect(points).toHaveLength(90);
    for (const series of ['logins', 'registrations', 'reservations'] as const) {
      const mine = points.filter((p) => p.attrs['data-series'] === series);
      expect(mine.map((p) => [p.attrs['data-day'], Number(p.attrs['data-value'])])).toEqual(data.daily[series].map((p) => [p.day, p.value]));
    }
    const texts = (await select(html, 'svg[data-chart=daily] text')).map((t) => t.text.trim());
    expect(texts).toEqual(expect.arrayContaining(['Logins', 'Registrations', 'Reservations', 'Mar 21', 'Mar 16', '0', '40']));
    // Readable without hovering: the peaks (logins 16, reservations 41 today) are written on the chart.
    const values = (await select(html, 'svg[data-chart=daily] text.value-label')).map((t) => t.text);
    expect(values).toEqual(expect.arrayContaining(['16', '41']));
  });

  it('draws one bar per status code, with the status and the count written next to it', async () => {
    const html = await render(redisUp());
    const bars = await select(html, 'svg[data-chart=response-codes] rect[data-bar]');
    expect(bars.map((b) => [b.attrs['data-status'], b.attrs['data-value']])).toEqual([['200', '9000'], ['201', '800'], ['404', '120'], ['429', '9'], ['503', '1']]);
    expect(bars.map((b) => b.attrs.class)).toEqual(['bar-2', 'bar-2', 'bar-4', 'bar-4', 'bar-5']);
    const texts = (await select(html, 'svg[data-chart=response-codes] text')).map((t) => t.text.trim());
    expect(texts).toEqual(expect.arrayContaining(['200', '9,000', '404', '120', '503', '1', '2xx success', '5xx server error']));
  });

  it('lists the top endpoints, the cache namespaces with readable TTLs, and the Redis server facts', async () => {
    const html = await render(redisUp());
    const endpoints = await select(html, 'table#top-endpoints tr[data-endpoint]');
    expect(endpoints.map((r) => r.attrs['data-endpoint'])).toEqual(['GET /parking-lots/:id', 'POST /reservations']);
    expect(endpoints[0]!.text).toContain('5,000');
    const namespaces = await select(html, 'table#cache-namespaces tr[data-namespace]');
    expect(namespaces.map((r) => r.attrs['data-namespace'])).toEqual(['parking_lot', 'rate_limit']);
    const cells = (await select(html, 'tr[data-namespace=parking_lot] td')).map((td) => td.text.trim());
    expect(cells).toEqual(['parking_lot', '12', '12', '30s', '5m 1s', '9m 58s']);
    expect((await select(html, 'tr[data-namespace=rate_limit] td')).map((td) => td.text.trim())).toEqual(['rate_limit', '20', '0', '–', '–', '–']);
    expect((await select(html, '#cache'))[0]!.text).toContain('85.7%');
    const server = (await select(html, 'section#redis-server'))[0]!.text.replace(/\s+/g, ' ');
    for (const fact of ['7.2.4', '14d 6h', '1.3 MiB', '2.8 MiB', 'no limit', 'Connected clients7', 'Operations per second42', 'db3', '120']) {
      expect(server).toContain(fact);
    }
    expect((await select(html, 'time'))[0]!.attrs.datetime).toBe('2025-03-21T12:34:56.789Z');
  });

  it('has the sign-out form with the CSRF token, and names the signed-in admin', async () => {
    const html = await render(redisUp());
    const form = await select(html, 'form#sign-out[method=post][action="/admin/sign-out"]');
    expect(form).toHaveLength(1);
    expect((await select(html, 'form#sign-out input[type=hidden][name=csrf]'))[0]!.attrs.value).toBe('csrf-token-1');
    expect(await select(html, 'form#sign-out button')).toHaveLength(1);
    expect((await select(html, 'header'))[0]!.text).toContain('ada@example.com');
  });
});

describe('the dashboard page, Redis down', () => {
  it('says so in a banner at the top and in every Redis section, and still draws the history', async () => {
    const html = await render(redisDown());
    const banner = await select(html, '[data-testid=redis-down][role=alert]');
    expect(banner).toHaveLength(1);
    expect(banner[0]!.text).toMatch(/unavailable/i);
    expect(banner[0]!.text).toMatch(/Postgres/);
    expect(html.indexOf('data-testid="redis-down"')).toBeLessThan(html.indexOf('data-chart="daily"'));
    for (const name of ['total_api_calls', 'active_users', 'cache_hit_rate', 'rate_limit_violations']) {
      const found = await metric(html, name);
      expect([found?.attrs['data-value'], found?.text.trim()], name).toEqual(['', 'unavailable']);
    }
    for (const section of ['section#redis-server', '#cache', '#responses', '#endpoints']) {
      expect((await select(html, section))[0]!.text, section).toMatch(/unavailable/i);
    }
    expect(await select(html, 'table#cache-namespaces')).toHaveLength(0);
    expect(await select(html, 'svg[data-chart=daily] circle[data-point]')).toHaveLength(90);
  });
});

describe('the dashboard page, edge cases', () => {
  it('renders an empty deployment: zero points, no bars, no hit rate yet', async () => {
    const data = { ...redisUp(), daily: daily(() => 0), response_codes: [], top_endpoints: [],
      metrics: { ...redisUp().metrics!, cache_hit_rate: null, response_codes: {} },
      cache: { hits: 0, misses: 0, hit_rate: null, scanned_keys: 0, truncated: false, namespaces: [] } };
    const html = await render(data);
    const points = await select(html, 'circle[data-point]');
    expect(points).toHaveLength(90);
    expect(points.every((p) => p.attrs['data-value'] === '0')).toBe(true);
    expect(await select(html, 'svg[data-chart=response-codes]')).toHaveLength(1);
    expect(await select(html, 'rect[data-bar]')).toHaveLength(0);
    expect((await metric(html, 'cache_hit_rate'))?.attrs['data-value']).toBe('');
    expect(await select(html, '[data-testid=redis-down]')).toHaveLength(0);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('keeps big numbers exact in data-value and readable in the text', async () => {
    const big = 123_456_789_012;
    const data = { ...redisUp(), metrics: { ...redisUp().metrics!, total_api_calls: big }, daily: daily((_, i) => i * 40_000_000),
      response_codes: [{ status: 200, count: big }] };
    const html = await render(data);
    expect((await metric(html, 'total_api_calls'))?.attrs['data-value']).toBe('123456789012');
    expect((await metric(html, 'total_api_calls'))?.text.trim()).toBe('123,456,789,012');
    expect((await select(html, 'rect[data-bar]'))[0]!.attrs['data-value']).toBe('123456789012');
    const axis = (await select(html, 'svg[data-chart=daily] text.axis-label')).map((t) => t.text.trim());
    expect(axis).toEqual(expect.arrayContaining(['0', '500M', '1B', '1.5B']));
    expect((await select(html, 'svg[data-chart=daily] text.value-label')).map((t) => t.text)).toContain('1.2B');
    expect(html).not.toMatch(/NaN|Infinity|e\+/);
  });

  it('escapes every text from the data, so a hostile key name stays text', async () => {
    const evil = '<script>alert(1)</script>';
    const data = { ...redisUp(), top_endpoints: [{ endpoint: `GET /x${evil}`, count: 1 }],
      cache: { ...redisUp().cache!, namespaces: [{ ...redisUp().cache!.namespaces[0]!, namespace: evil }] } };
    const html = await renderDashboardPage(data, { csrf: '"><script>x</script>', user: { email: 'a@b.c', name: `<img src=x onerror=alert(1)>` } });
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await select(html, 'tr[data-namespace]'))[0]!.attrs['data-namespace']).toBe(evil);
    expect((await select(html, 'tr[data-endpoint]'))[0]!.attrs['data-endpoint']).toBe(`GET /x${evil}`);
    expect((await select(html, 'input[name=csrf]'))[0]!.attrs.value).toBe('"><script>x</script>');
  });
});

const pages = async () => [await render(redisUp()), await render(redisDown()), await renderSignInPage({ csrf: 'c', error: 'Wrong email or password.' }),
  await renderForbiddenPage({ csrf: 'c', user: { email: 'u@example.com' } })];

describe('every admin page', () => {
  it('loads nothing from elsewhere and runs no script', async () => {
    for (const html of await pages()) {
      expect(html).not.toMatch(/<script|<link|<img|<iframe|javascript:/i);
      expect(html).not.toMatch(/\s(src|href|action)="(https?:)?\/\//i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      // A hash does not cover style attributes: the pages must have none.
      expect(html).not.toMatch(/\sstyle="/);
    }
  });

  it('is sent with a CSP that allows exactly its one stylesheet, and the other security headers', async () => {
    const headers = adminPageHeaders();
    const policy = Object.fromEntries(headers['Content-Security-Policy']!.split(';').map((d) => d.trim().split(/\s+(.*)/s).slice(0, 2)));
    expect(policy).toMatchObject({ 'default-src': "'none'", 'img-src': 'data:', 'base-uri': "'none'", 'form-action': "'self'", 'frame-ancestors': "'none'" });
    expect(policy['script-src']).toBeUndefined();
    for (const html of await pages()) {
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
      expect(styles).toHaveLength(1);
      expect(policy['style-src']).toBe(`'sha256-${createHash('sha256').update(styles[0]![1]!).digest('base64')}'`);
    }
    expect(headers).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
  });
});

describe('the sign-in and forbidden pages', () => {
  it('the sign-in form posts email, password and the CSRF token, with labels and autocomplete', async () => {
    const html = await renderSignInPage({ csrf: 'tok-9' });
    expect(await select(html, 'form#sign-in[method=post][action="/admin/sign-in"]')).toHaveLength(1);
    expect((await select(html, 'form#sign-in input[name=email]'))[0]!.attrs).toMatchObject({ type: 'email', autocomplete: 'username', id: 'email' });
    expect((await select(html, 'form#sign-in input[name=password]'))[0]!.attrs).toMatchObject({ type: 'password', autocomplete: 'current-password', id: 'password' });
    expect((await select(html, 'form#sign-in input[type=hidden][name=csrf]'))[0]!.attrs.value).toBe('tok-9');
    expect(await select(html, 'form#sign-in button[type=submit]')).toHaveLength(1);
    expect((await select(html, 'label')).map((l) => l.attrs.for)).toEqual(['email', 'password']);
    expect(await select(html, '[data-testid=sign-in-error]')).toHaveLength(0);
  });

  it('shows a failure, escaped, and keeps the address typed', async () => {
    const html = await renderSignInPage({ csrf: 't', error: 'Wrong <b>email</b> or password.', email: 'ada@example.com' });
    expect((await select(html, '[data-testid=sign-in-error]'))[0]!.text.trim()).toBe('Wrong <b>email</b> or password.');
    expect(html).not.toContain('<b>');
    expect((await select(html, 'input[name=email]'))[0]!.attrs.value).toBe('ada@example.com');
  });

  it('tells a signed-in non-admin the page is for admins, with the sign-out form', async () => {
    const html = await renderForbiddenPage({ csrf: 'tok-3', user: { email: 'user@example.com' } });
    expect((await select(html, 'h1'))[0]!.text).toMatch(/admins only/i);
    expect((await select(html, 'main'))[0]!.text).toContain('user@example.com');
    expect((await select(html, 'form#sign-out[action="/admin/sign-out"] input[name=csrf]'))[0]!.attrs.value).toBe('tok-3');
  });
});
