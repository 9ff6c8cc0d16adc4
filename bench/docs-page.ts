// npm run bench:docs — what the API reference (/docs) costs: the size of Scalar's bundle (raw, and as the edge
// would send it compressed), the Worker's part (the HTML page and its Redis round trips; the bundle is served by
// the assets layer), and how long headless Chromium takes to show it, on this machine, against `wrangler dev`
// on its own local stack. Local: no network, so the times are parsing and running the bundle, not transfer.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { dropDatabase } from '../dev/lib/database.ts';
import { startStack } from '../dev/lib/stack.ts';
import { REFERENCE_BUNDLE_PATH } from '../src/routes/docs/bundle.ts';
import { ASSETS_DIRECTORY } from '../dev/build-assets.ts';
import { launchChromium } from '../test/browser/helpers/browser.ts';
import { startWranglerDev } from '../test/browser/setup/wrangler-dev.ts';

const LOADS = Number(process.env.BENCH_LOADS ?? 5);
// Set by the init script: when the first contentful paint happened, and when the sidebar first listed an operation.
const TIMING = `
  window.__docsTiming = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === 'first-contentful-paint') window.__docsTiming.fcp = entry.startTime;
  }).observe({ type: 'paint', buffered: true });
  new MutationObserver((_, observer) => {
    if (document.querySelector('li[data-sidebar-id*="/tag/"]')) { window.__docsTiming.operations = performance.now(); observer.disconnect(); }
  }).observe(document, { childList: true, subtree: true });`;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)})`;
};

const stack = await startStack({
  redis: { host: '127.0.0.1', port: 6379, db: 0 },
  privateRedis: true,
  databaseUrl: `postgresql://postgres@127.0.0.1:5432/parkedge_bench_docs_${process.pid}`,
  recreateDatabase: true,
  redisToken: 'bench',
});
const wrangler = await startWranglerDev(
  {
    ENVIRONMENT: 'development',
    UPSTASH_REDIS_REST_URL: stack.redisRest.url,
    UPSTASH_REDIS_REST_TOKEN: stack.redisToken,
    DATABASE_URL: stack.databaseUrl,
    NEON_HTTP_ENDPOINT: stack.neonHttp.sqlEndpoint,
    RATE_LIMIT_ANONYMOUS_PER_HOUR: '100000',
  },
  `/tmp/parkedge-bench-docs-${process.pid}.log`,
);
const browser = await launchChromium();
try {
  const bundle = readFileSync(`${ASSETS_DIRECTORY}${REFERENCE_BUNDLE_PATH}`);
  console.log(`bundle ${REFERENCE_BUNDLE_PATH}: ${kib(bundle.length)} raw, ${kib(gzipSync(bundle).length)} gzip, ${kib(brotliCompressSync(bundle).length)} brotli`);

  await (await fetch(`${wrangler.origin}/docs`)).text(); // the isolate's first request also checks the cache's state
  const page = await fetch(`${wrangler.origin}/docs`);
  const html = await page.text();
  console.log(`GET /docs (the Worker): ${html.length} bytes of HTML, ${page.headers.get('x-redis-round-trips')} Redis round trip(s) before the answer, no query`);

  const cold: { fcp: number; operations: number }[] = [];
  const warm: { fcp: number; operations: number }[] = [];
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.addInitScript(TIMING);
  for (let load = 0; load < LOADS * 2; load++) {
    // The first LOADS in a fresh context each (nothing cached), then LOADS in one context (the bundle revalidated).
    const fresh = load < LOADS ? await browser.newContext({ viewport: { width: 1366, height: 900 } }) : context;
    if (fresh !== context) await fresh.addInitScript(TIMING);
    const tab = await fresh.newPage();
    await tab.goto(`${wrangler.origin}/docs`);
    // (Not waitForFunction: it evaluates a string in the page, which the page's policy refuses.)
    await tab.locator('li[data-sidebar-id*="/tag/"]').first().waitFor();
    (load < LOADS ? cold : warm).push(await tab.evaluate<{ fcp: number; operations: number }>('window.__docsTiming'));
    await tab.close();
    if (fresh !== context) await fresh.close();
  }
  await context.close();
  console.log(`Chromium, ${LOADS} loads each | first contentful paint | sidebar lists the operations`);
  console.log(`  nothing cached              | ${stats(cold.map((t) => t.fcp))} | ${stats(cold.map((t) => t.operations))}`);
  console.log(`  bundle cached (revalidated) | ${stats(warm.map((t) => t.fcp))} | ${stats(warm.map((t) => t.operations))}`);
} finally {
  await browser.close();
  await wrangler.stop();
  await stack.stop();
  if (stack.postgresKind === 'postgres') await dropDatabase(stack.databaseUrl).catch(() => {});
}
