// The API reference (/docs, Scalar) as a person uses it, by the elements of Scalar's DOM: the sidebar's groups
// and entries, an operation's "Test Request" client and its Send button. The page is opened at a host name
// that is not localhost (parkedge.test, resolved to wrangler dev's address) in a context Chromium treats as
// secure, as a deployed https origin would be: Scalar treats localhost differently.
import type { Browser, Page, Response } from 'playwright-core';
import { origin } from './api.ts';
import { launchChromium, openPage, type OpenPage } from './browser.ts';

const HOST = 'parkedge.test';
export const referenceOrigin = `http://${HOST}:${new URL(origin).port}`;
export const REFERENCE = `${referenceOrigin}/docs`;

export function launchForReference(): Promise<Browser> {
  return launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, `--unsafely-treat-insecure-origin-as-secure=${referenceOrigin}`]);
}

export interface ReferenceVisit extends OpenPage {
  /** Every Content-Security-Policy violation the page reported: directive, blocked URI, where. */
  violations: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** A new visitor on /docs, once the sidebar lists the operations. */
export async function openReference(browser: Browser): Promise<ReferenceVisit> {
  const visit = await openPage(browser);
  const violations: string[] = [];
  const errors: string[] = [];
  await visit.context.exposeBinding('reportViolation', (_source, violation: string) => violations.push(violation));
  await visit.context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
    window.reportViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber].join(' ')));`);
  visit.page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  visit.page.on('pageerror', (error) => errors.push(error.message));
  await visit.page.goto(REFERENCE);
  await visit.page.locator('li[data-sidebar-id*="/tag/"]').first().waitFor();
  return { ...visit, violations, errors };
}

const OPERATION_ID = /\/tag\/[^/]+\/(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS)(\/.*)$/;

/** Opens every closed group of the sidebar (a tag's operations are in the DOM only while it is open). */
async function openEveryGroup(page: Page): Promise<void> {
  const closed = page.getByRole('button', { name: /^Open Group/ });
  for (let opened = 0; (await closed.count()) > 0; opened++) {
    if (opened > 50) throw new Error('the sidebar keeps closed groups after 50 clicks');
    await closed.first().click();
  }
}

/** The operations the sidebar lists: `GET /users/{id}` → the entry's text. */
export async function sidebarOperations(page: Page): Promise<Map<string, string>> {
  await openEveryGroup(page);
  const entries = await page.evaluate<[string, string][]>(
    `[...document.querySelectorAll('li[data-sidebar-id]')].map((li) => [li.getAttribute('data-sidebar-id'), li.querySelector('a')?.innerText ?? ''])`,
  );
  const operations = new Map<string, string>();
  for (const [id, text] of entries) {
    const match = OPERATION_ID.exec(id);
    if (match) operations.set(`${match[1]} ${match[2]}`, text.replace(/\s+/g, ' ').trim());
  }
  return operations;
}

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Opens the operation from the sidebar, then its try-it client, and sends the request it offers. */
export async function sendFromClient(page: Page, method: string, path: string): Promise<Response> {
  await openEveryGroup(page);
  await page.locator(`li[data-sidebar-id$="/${method}${path}"] > a`).click();
  const verb = method.toLowerCase();
  await page.getByRole('button', { name: new RegExp(`^Test Request\\s*\\(${verb} ${literally(path)}\\)$`) }).click();
  const send = page.getByRole('button', { name: new RegExp(`^Send ${verb} request to \\S*${literally(path)}$`) });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path),
    send.click(),
  ]);
  return response;
}
