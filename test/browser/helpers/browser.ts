// Headless Chromium (Debian's package, driven by playwright-core: `npx playwright install` needs the internet)
// and browser contexts that record every request their pages make.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Screenshots and the wrangler dev log; ignored by git. */
export const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Every URL any page of the context requested, in order. */
  requests: string[];
}

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 3,
};

/** A fresh context (its own cookies: a new visitor) with one page. */
export async function openPage(browser: Browser, options: BrowserContextOptions = DESKTOP): Promise<OpenPage> {
  const context = await browser.newContext(options);
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  return { context, page, requests };
}
