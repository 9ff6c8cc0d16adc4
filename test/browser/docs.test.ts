// The API reference at /docs in a real browser: Scalar lists every operation of the OpenAPI document, its
// try-it client calls this origin, nothing is loaded from or sent to anywhere else, and nothing breaks the
// page's Content-Security-Policy. Its bundle is a static asset, served without running the Worker.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, bearerToken, origin, seededAdmin, unique } from './helpers/api.ts';
import { ARTIFACTS } from './helpers/browser.ts';
import { launchForReference, openReference, type ReferenceVisit, referenceOrigin, sendFromClient, sidebarOperations } from './helpers/reference.ts';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let browser: Browser;
beforeAll(async () => {
  browser = await launchForReference();
});
afterAll(async () => {
  await browser?.close();
});

/** The operations of /openapi.json: `GET /users/{id}` → its summary. */
async function documentedOperations(): Promise<Map<string, string>> {
  const { status, body } = await api('GET', '/openapi.json');
  expect(status).toBe(200);
  const operations = new Map<string, string>();
  for (const [path, item] of Object.entries(body.paths as Record<string, Record<string, { summary: string }>>)) {
    for (const method of METHODS.filter((m) => item[m])) operations.set(`${method.toUpperCase()} ${path}`, item[method]!.summary);
  }
  return operations;
}

/** What every visit must show at its end: all its requests went to the page's origin, and nothing was refused. */
function expectStayedHome({ requests, violations, errors }: ReferenceVisit): void {
  expect(requests.length).toBeGreaterThanOrEqual(3);
  expect(requests.filter((url) => !url.startsWith(`${referenceOrigin}/`))).toEqual([]);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
}

describe('the API reference', () => {
  it('lists every operation of the OpenAPI document under its summary', async () => {
    const expected = await documentedOperations();
    expect(expected.size).toBeGreaterThan(20);
    const visit = await openReference(browser);
    const shown = await sidebarOperations(visit.page);
    expect([...shown.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [operation, summary] of expected) expect(shown.get(operation), operation).toContain(summary);
    await visit.page.screenshot({ path: `${ARTIFACTS}docs.png` });
    // The page, its script (Scalar's bundle) and the document it reads.
    expect(visit.requests).toEqual(expect.arrayContaining([`${referenceOrigin}/docs`, `${referenceOrigin}/assets/scalar/api-reference.js`, `${referenceOrigin}/openapi.json`]));
    expectStayedHome(visit);
    await visit.context.close();
  });

  it("sends its try-it client's request to this origin and shows the answer", async () => {
    const name = unique('Reference lot ');
    const lot = await api('POST', '/parking-lots', {
      token: await bearerToken(seededAdmin),
      body: { name, address: '1 Reference Road', pin_code: '560001', price_per_hour_cents: 400, capacity: 2 },
    });
    expect(lot.status).toBe(201);

    const visit = await openReference(browser);
    const response = await sendFromClient(visit.page, 'GET', '/parking-lots');
    expect(new URL(response.url()).origin).toBe(referenceOrigin);
    expect(response.status()).toBe(200);
    const { data } = (await response.json()) as { data: { id: number; name: string }[] };
    expect(data).toContainEqual(expect.objectContaining({ id: lot.body.id, name }));
    // The client shows the status it got.
    await visit.page.getByText('200 OK', { exact: true }).waitFor();
    await visit.page.screenshot({ path: `${ARTIFACTS}docs-try-it.png`, animations: 'disabled' });
    expectStayedHome(visit);
    await visit.context.close();
  });

  it('loads its bundle as a static asset, without running the Worker', async () => {
    const bundle = await fetch(`${origin}/assets/scalar/api-reference.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(1_000_000);
    // Every answer of the Worker carries X-Request-Id and, past the gate, the rate limit: the asset has neither.
    expect(bundle.headers.get('x-request-id')).toBeNull();
    expect(bundle.headers.get('ratelimit-limit')).toBeNull();
    const page = await fetch(`${origin}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-request-id')).toBeTruthy();
    expect(page.headers.get('ratelimit-limit')).toBeTruthy();
    await page.text();
  });
});
