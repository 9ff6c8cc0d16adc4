import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const bench = Boolean(process.env.PARKEDGE_BENCH);
// `npm run bench:scale`: its own setup seeds two databases (bench/scale-setup.ts), too slow for the other benches.
const scale = Boolean(process.env.PARKEDGE_SCALE);

// The Worker's code inside workerd (Cloudflare's vitest plugin), on the stack of test/global-setup.ts.
const workerd: TestProjectInlineConfiguration = {
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ENVIRONMENT: 'development',
          UPSTASH_REDIS_REST_URL: inject('redisRestUrl'),
          UPSTASH_REDIS_REST_TOKEN: inject('redisToken'),
          DATABASE_URL: inject('databaseUrl'),
          NEON_HTTP_ENDPOINT: inject('neonSqlEndpoint'),
          NEON_CONTROL_URL: inject('neonControlUrl'),
          DEAD_URL: inject('deadUrl'),
          HANGING_URL: inject('hangingUrl'),
          ISOLATED_REDIS_URL: inject('isolatedRedisUrl'),
          SCAN_REDIS_URL: inject('scanRedisUrl'),
          HEALTH_REDIS_URL: inject('healthRedisUrl'),
          LISTS_DATABASE_URL: inject('listsDatabaseUrl'),
          LISTS_REDIS_URL: inject('listsRedisUrl'),
          CRON_REDIS_URL: inject('cronRedisUrl'),
          CRON_DATABASE_URL: inject('cronDatabaseUrl'),
          WEBHOOK_RECEIVER_URL: inject('webhookReceiverUrl'),
          // Webhook retries in seconds, not minutes (1, 2, 4 s), and a receiver disabled after 2 dead deliveries.
          WEBHOOK_RETRY_BASE_SECONDS: '1',
          WEBHOOK_DISABLE_AFTER: '2',
          ...(scale ? { SCALE_WORLDS: inject('scaleWorlds') } : {}),
        },
        // wrangler.toml's consumers with fewer retries, so that a delivery reaches the dead-letter queue in
        // seconds: 4 attempts (1 + 2 + 4 s of delays), enough for a receiver that fails 3 times to recover.
        queueConsumers: {
          'parkedge-webhooks': { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 3, deadLetterQueue: 'parkedge-webhooks-dlq' },
          'parkedge-webhooks-dlq': { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 10 },
        },
      },
    })),
  ],
  test: {
    name: 'workerd',
    globalSetup: scale ? ['./test/global-setup.ts', './bench/scale-setup.ts'] : ['./test/global-setup.ts'],
    // `npm run bench:roundtrips` runs the benchmark files instead of the tests, on the same stack.
    include: scale ? ['bench/scale.bench.ts'] : bench ? ['bench/**/*.bench.ts'] : ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/live-dev/**', '**/node_modules/**', ...(scale ? [] : ['bench/scale.bench.ts'])],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
};

// The admin pages in headless Chromium, and the live stream with real WebSocket and SSE clients from Node
// (test/live-dev/), against `wrangler dev` (test/browser/global-setup.ts starts both the stack and wrangler
// dev). One file at a time: the Redis-down and PostgreSQL-down tests take them away from the one Worker every
// test here talks to.
const browser: TestProjectInlineConfiguration = {
  test: {
    name: 'browser',
    environment: 'node',
    globalSetup: ['./test/browser/global-setup.ts'],
    include: ['test/browser/**/*.test.ts', 'test/live-dev/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
};

export default defineConfig({
  test: {
    projects: bench ? [workerd] : [workerd, browser],
  },
});
