// The world of the browser tests and of the live-stream tests (test/live-dev/): the local stack (a private redis-server and a fresh PostgreSQL database behind the
// Upstash and Neon stand-ins, migrated), a seeded admin, and `wrangler dev` serving the Worker on a free port
// the way `npm run dev` does. Everything is stopped after the last browser test.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { dropDatabase, dropOrphanDatabases, seedAdmin } from '../../dev/lib/database.ts';
import { postgresAnswers } from '../../dev/lib/probe.ts';
import { startStack, type Stack } from '../../dev/lib/stack.ts';
import { ARTIFACTS, CHROMIUM_PATH } from './helpers/browser.ts';
import { startWranglerDev, type WranglerDev } from './setup/wrangler-dev.ts';

const DATABASE_PREFIX = 'parkedge_browser_';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the `wrangler dev` under test. */
    browserOrigin: string;
    /** The Upstash stand-in in front of that Worker's Redis, and its token (for its /__control API). */
    browserRedisRestUrl: string;
    browserRedisToken: string;
    /** The Neon stand-in in front of that Worker's PostgreSQL (its /__control API takes PostgreSQL away). */
    browserNeonUrl: string;
    /** That PostgreSQL database itself, for tests that check what was written. */
    browserDatabaseUrl: string;
    /** The admin seeded the way `npm run dev` seeds one. */
    browserAdminEmail: string;
    browserAdminPassword: string;
    /** The Neon stand-in's SQL endpoint in front of that database, for arranging what the API cannot (past occupancy hours). */
    browserNeonSqlEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM_PATH}, and it is not installed. ` +
        'Install it with `sudo apt-get install -y chromium` (bash .ci/run does this), then run npm test again.',
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });

  const server = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  server.pathname = '/postgres';
  if (await postgresAnswers(server.toString())) await dropOrphanDatabases(server.toString(), DATABASE_PREFIX);
  const databaseUrl = new URL(server);
  databaseUrl.pathname = `/${DATABASE_PREFIX}${process.pid}_${Date.now().toString(36)}`;

  let stack: Stack | undefined;
  let wrangler: WranglerDev | undefined;
  const stopAll = async () => {
    await wrangler?.stop();
    await stack?.stop();
    if (stack?.postgresKind === 'postgres') await dropDatabase(stack.databaseUrl).catch(() => {});
  };

  try {
    stack = await startStack({
      // Used only where redis-server is not installed; a database the workerd tests (DB 15) do not flush.
      redis: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379), db: 14 },
      privateRedis: true,
      databaseUrl: databaseUrl.toString(),
      recreateDatabase: true,
      flushRedis: true,
      redisToken: randomBytes(18).toString('base64url'),
      log: (line) => console.log(`[browser stack] ${line}`),
    });
    const admin = { email: 'admin@parkedge.local', password: randomBytes(12).toString('base64url') };
    await seedAdmin(stack.databaseUrl, admin.email, admin.password);

    wrangler = await startWranglerDev(
      {
        ENVIRONMENT: 'development',
        UPSTASH_REDIS_REST_URL: stack.redisRest.url,
        UPSTASH_REDIS_REST_TOKEN: stack.redisToken,
        DATABASE_URL: stack.databaseUrl,
        NEON_HTTP_ENDPOINT: stack.neonHttp.sqlEndpoint,
        // A short cool-down, so that the Redis-down test sees the dashboard recover soon after Redis is back.
        REDIS_COOLDOWN_MS: '500',
        // Every page comes from one browser at one IP and the tests share the seeded admin: the hourly limits
        // would make tests depend on how many requests the others made. The failed sign-in limit (tested)
        // keeps its default of 10.
        RATE_LIMIT_PER_HOUR: '100000',
        RATE_LIMIT_ANONYMOUS_PER_HOUR: '100000',
        // The live stream's bounds, small enough for test/live-dev/ to see each one hold in seconds: 60 watchers
        // a lot (the race has 50), the default 10 per IP, a 20 s lifetime, 4 s idle, a heartbeat every second.
        LIVE_MAX_PER_LOT: '60',
        LIVE_MAX_PER_IP: '10',
        LIVE_MAX_LIFETIME_MS: '20000',
        LIVE_IDLE_MS: '4000',
        LIVE_HEARTBEAT_MS: '1000',
        // Webhook retries after 1, 2, 4, 8, 16 s (wrangler.toml's queue: 5 retries, then the dead-letter queue).
        WEBHOOK_RETRY_BASE_SECONDS: '1',
      },
      `${ARTIFACTS}wrangler-dev.log`,
    );
    console.log(`[browser stack] wrangler dev answers at ${wrangler.origin} (log: test/artifacts/wrangler-dev.log)`);

    project.provide('browserOrigin', wrangler.origin);
    project.provide('browserRedisRestUrl', stack.redisRest.url);
    project.provide('browserRedisToken', stack.redisToken);
    project.provide('browserNeonUrl', stack.neonHttp.url);
    project.provide('browserDatabaseUrl', stack.databaseUrl);
    project.provide('browserAdminEmail', admin.email);
    project.provide('browserAdminPassword', admin.password);
    project.provide('browserNeonSqlEndpoint', stack.neonHttp.sqlEndpoint);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
