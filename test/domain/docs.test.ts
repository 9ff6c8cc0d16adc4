import { describe, expect, it } from 'vitest';
import { makeAdmin } from '../helpers/fixtures.ts';
import { call, type CallResult, randomIp, testEnv } from '../helpers/http.ts';
import { createApp, routePatterns } from '../../src/app.ts';
import { REFERENCE_BUNDLE_PATH } from '../../src/routes/docs/bundle.ts';

type Schema = { $ref?: string };
type Response = { description: string; content?: Record<string, { schema?: Schema }> };
type Operation = { tags?: string[]; summary?: string; security?: Record<string, string[]>[]; responses: Record<string, Response> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const ERROR_REF = '#/components/schemas/Error';
// The health checks answer a 503 with their own status body (the contract's `{status: "unavailable", error}`).
const STATUS_REPORTS = new Set(['GET /health/redis 503', 'GET /health 503']);

async function fetchDocument() {
  const res = await call('GET', '/openapi.json');
  expect(res.status, res.text).toBe(200);
  return res;
}

function operations(document: { paths: Record<string, Record<string, Operation>> }) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ name: `${method.toUpperCase()} ${path}`, path, method, operation: item[method]! })),
  );
}

/** The app's routes as the document spells them: `GET /users/{id}`. */
function appRoutes(): string[] {
  return routePatterns(createApp().routes).map((endpoint) => endpoint.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}'));
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document of exactly the routes the app has', async () => {
    const res = await fetchDocument();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    expect(res.body.info).toMatchObject({ title: 'ParkEdge', version: '0.1.0' });

    const routes = appRoutes();
    expect(routes).toEqual(expect.arrayContaining(['GET /openapi.json', 'GET /docs', 'POST /reservations', 'GET /parking-lots/{id}']));
    expect(operations(res.body).map((op) => op.name).sort()).toEqual([...routes].sort());
  });

  it('explains the error envelope, authentication, rate limits and Idempotency-Key', async () => {
    const { description } = (await fetchDocument()).body.info as { description: string };
    for (const part of ['{"error": {"code"', 'validation_failed', 'Authorization: Bearer <token>', 'RateLimit-Remaining', 'Retry-After', 'Idempotency-Key']) {
      expect(description).toContain(part);
    }
  });

  it('gives every operation a success response, and every error the Error schema', async () => {
    const { body } = await fetchDocument();
    expect(body.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    for (const { name, operation } of operations(body)) {
      const statuses = Object.keys(operation.responses);
      // The browser forms under /admin succeed with a 303 to the dashboard and answer errors as pages.
      expect(statuses.some((status) => /^2\d\d$/.test(status) || status === '303'), `${name} has no 2xx response`).toBe(true);
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        if (STATUS_REPORTS.has(`${name} ${status}`)) continue;
        if (operation.responses[status]!.content?.['text/html']) continue;
        expect(operation.responses[status]!.content?.['application/json']?.schema?.$ref, `${name} ${status}`).toBe(ERROR_REF);
      }
      if (!operation.tags?.includes('Health')) expect(statuses, `${name} is rate limited: it must document 429`).toContain('429');
      if (operation.security?.length) expect(statuses, `${name} needs a token: it must document 401`).toContain('401');
    }
  });

  it('declares the bearer scheme that operations needing a token name, and none for open ones', async () => {
    const { body } = await fetchDocument();
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const byName = new Map(operations(body).map((op) => [op.name, op.operation]));
    expect(byName.get('POST /reservations')!.security).toEqual([{ bearerAuth: [] }]);
    expect(byName.get('GET /parking-lots')!.security).toBeUndefined();
    for (const [name, operation] of byName) {
      for (const requirement of operation.security ?? []) {
        for (const scheme of Object.keys(requirement)) expect(body.components.securitySchemes, `${name} names ${scheme}`).toHaveProperty(scheme);
      }
    }
  });

  it('has no dangling $ref, and every operation sits under a declared tag', async () => {
    const { body, text } = await fetchDocument();
    const refs = [...text.matchAll(/"\$ref":"#\/components\/([^/"]+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [ref, kind, name] of refs) expect(body.components[kind!], ref).toHaveProperty([name!]);
    const tags = (body.tags as { name: string; description?: string }[]).map((tag) => tag.name);
    for (const { name, operation } of operations(body)) {
      expect(operation.tags?.length, `${name} has no tag`).toBeGreaterThan(0);
      for (const tag of operation.tags!) expect(tags, `${name}`).toContain(tag);
    }
  });

  it('passes the gate like other routes: rate-limit headers, and 401 for a malformed token', async () => {
    const res = await fetchDocument();
    expect(Number(res.headers.get('ratelimit-limit'))).toBeGreaterThan(0);
    const bad = await call('GET', '/openapi.json', { headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');
  });
});

describe('GET /docs', () => {
  // The origin test/helpers/http.ts sends every request to.
  const ORIGIN = 'http://parkedge.test';

  async function fetchPage() {
    const res = await call('GET', '/docs');
    expect(res.status, res.text).toBe(200);
    return res;
  }

  function policyOf(res: CallResult): Record<string, string> {
    return Object.fromEntries(
      res.headers.get('content-security-policy')!.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name!, values.join(' ')];
      }),
    );
  }

  /** Every <script> of the page: its attributes and its inline text. */
  function scripts(html: string) {
    return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map(([, attributes, text]) => ({
      src: /\ssrc="([^"]*)"/.exec(attributes!)?.[1],
      nonce: /\snonce="([^"]*)"/.exec(attributes!)?.[1],
      text: text!.trim(),
    }));
  }

  /** The configuration the page starts Scalar with. */
  function configurationOf(html: string): Record<string, unknown> {
    const start = scripts(html)[1]!.text;
    expect(start).toMatch(/^Scalar\.createApiReference\('#app', \{[\s\S]*\}\)$/);
    return JSON.parse(start.slice(start.indexOf('{'), -1));
  }

  it("is Scalar's reference: its bundle from this origin, started on /openapi.json with this origin as the server", async () => {
    const { headers, text } = await fetchPage();
    expect(headers.get('content-type')).toMatch(/^text\/html/);
    const [bundle, start, ...others] = scripts(text);
    expect(others).toEqual([]);
    expect(bundle).toMatchObject({ src: REFERENCE_BUNDLE_PATH, text: '' });
    expect(start!.src).toBeUndefined();
    // Code samples and the try-it client use the server: the origin the page was asked for.
    expect(configurationOf(text)).toMatchObject({ url: '/openapi.json', servers: [{ url: ORIGIN }], withDefaultFonts: false });
  });

  it('refers to no other origin', async () => {
    const { text } = await fetchPage();
    const paths = [...text.matchAll(/\b(?:src|href|action)="([^"]*)"|"(?:url|cdn)": "([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
    expect(paths).toEqual(expect.arrayContaining([REFERENCE_BUNDLE_PATH, '/openapi.json', ORIGIN]));
    for (const path of paths) expect(path, path).toMatch(new RegExp(`^(?:/(?!/)|${ORIGIN.replaceAll('.', '\\.')}$)`));
    const absolute = [...text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]*/gi)].map(([url]) => url);
    expect(absolute).toEqual([ORIGIN]);
  });

  it('has a Content-Security-Policy of its own: scripts only by a fresh nonce, requests only to this origin', async () => {
    const first = await fetchPage();
    const policy = policyOf(first);
    expect(policy).toMatchObject({
      'default-src': "'none'",
      'connect-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    const nonce = /^'nonce-([A-Za-z0-9+/=_-]{22,})'$/.exec(policy['script-src']!)?.[1];
    expect(nonce, policy['script-src']).toBeDefined();
    // Both scripts (the bundle and the inline start) carry it; nothing else may run.
    expect(scripts(first.text).map((script) => script.nonce)).toEqual([nonce, nonce]);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');

    const second = await fetchPage();
    expect(policyOf(second)['script-src']).not.toBe(policy['script-src']);
  });

  it('leaves the headers of the other routes as they were', async () => {
    const document = await call('GET', '/openapi.json');
    expect(document.headers.get('content-security-policy')).toBeNull();
    const lots = await call('GET', '/parking-lots');
    expect(lots.headers.get('content-security-policy')).toBeNull();
  });

  it('passes the gate like other routes: rate limited, 401 for a malformed token, counted', async () => {
    const ip = randomIp();
    const env = { ...testEnv, RATE_LIMIT_ANONYMOUS_PER_HOUR: '2' };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/docs', { env, ip })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await call('GET', '/docs', { env, ip });
    expect(limited.body.error.code).toBe('rate_limited');

    const bad = await call('GET', '/docs', { headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');

    const admin = await makeAdmin();
    const calls = async () => ((await call('GET', '/reports', { token: admin.token })).body.analytics.endpoint_calls['GET /docs'] ?? 0) as number;
    const before = await calls();
    await fetchPage();
    expect(await calls()).toBeGreaterThanOrEqual(before + 1);
  });
});
