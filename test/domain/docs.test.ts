import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { createApp, routePatterns } from '../../src/app.ts';

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
  async function fetchPage() {
    const res = await call('GET', '/docs');
    expect(res.status, res.text).toBe(200);
    return res;
  }

  /** The part of the page about one operation. */
  function section(html: string, method: string, path: string): string {
    const start = html.indexOf(`<span class="m m-${method}">${method.toUpperCase()}</span><code class="path">${path}</code>`);
    expect(start, `${method.toUpperCase()} ${path} is on the page`).toBeGreaterThan(0);
    return html.slice(start, html.indexOf('</article>', start));
  }

  it('is an HTML page with a strict Content-Security-Policy that allows exactly its own stylesheet', async () => {
    const res = await fetchPage();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = Object.fromEntries(
      res.headers.get('content-security-policy')!.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name!, values.join(' ')];
      }),
    );
    expect(policy).toMatchObject({ 'default-src': "'none'", 'base-uri': "'none'", 'form-action': "'none'", 'frame-ancestors': "'none'" });
    expect(policy['script-src']).toBeUndefined();

    const styles = [...res.text.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    const digest = createHash('sha256').update(styles[0]![1]!).digest('base64');
    expect(policy['style-src']).toBe(`'sha256-${digest}'`);
    // A hash does not cover style attributes: the page must have none.
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('loads nothing from elsewhere and runs no script', async () => {
    const { text } = await fetchPage();
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<link\b/i);
    expect(text).not.toMatch(/<(img|iframe|object|embed)\b/i);
    expect(text).not.toMatch(/@import|@font-face|url\(/i);
    expect(text).not.toMatch(/(src|href|action)="(https?:)?\/\//i);
  });

  it('shows every route of the app, under its method', async () => {
    const { text } = await fetchPage();
    for (const route of appRoutes()) {
      const [method, path] = route.split(' ');
      section(text, method!.toLowerCase(), path!);
    }
  });

  it('describes an operation: auth, parameters, body fields with their rules, and responses', async () => {
    const { text } = await fetchPage();
    const create = section(text, 'post', '/parking-lots');
    expect(create).toContain('Bearer token');
    // The body's fields, resolved from the CreateParkingLotRequest component, with their rules.
    expect(create).toMatch(/<code class="name">capacity<\/code><span class="type">integer<\/span><span class="req">required<\/span>/);
    expect(create).toContain('<code>≥ 1</code><code>≤ 5000</code>');
    expect(create).toMatch(/<code class="name">latitude<\/code><span class="type">number \| null<\/span><span class="opt">optional<\/span>/);
    expect(create).toContain('>201</span>');
    expect(create).toContain('<code class="name">available_spots</code>');

    const list = section(text, 'get', '/reservations');
    expect(list).toMatch(/<code class="name">status<\/code><span class="in">in query<\/span>/);
    expect(list).toContain('one of reserved, parked, completed, cancelled');

    const book = section(text, 'post', '/reservations');
    expect(book).toMatch(/<span class="in">in header<\/span>/);
    expect(book).toContain('<code>lot_full</code>');
    expect(book).toContain('href="#schema-Error"');
    expect(text).toContain('id="schema-Error"');

    expect(section(text, 'get', '/parking-lots')).toContain('Open to anyone');
  });
});
