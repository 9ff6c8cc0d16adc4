import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts'],
    // `npm run bench:roundtrips` runs the benchmark files instead of the tests, on the same stack.
    include: process.env.PARKEDGE_BENCH ? ['bench/**/*.bench.ts'] : ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
