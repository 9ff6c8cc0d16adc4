// Starts what the tests need before any test file runs, and stops it after the last: the local stack
// (a real Redis and a real PostgreSQL behind their stand-ins) on a test database of its own, and two
// broken endpoints for the outage tests: a port nobody listens on and a server that accepts and never answers.
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { dropDatabase, dropOrphanDatabases, ensureDatabase, migrateDatabase } from '../dev/lib/database.ts';
import { freePort, postgresAnswers } from '../dev/lib/probe.ts';
import { spawnRedisServer } from '../dev/lib/redis-server.ts';
import { startStack } from '../dev/lib/stack.ts';
import { startRedisRest } from '../dev/redis-rest/server.ts';
import { startWebhookReceiver } from './helpers/webhook-receiver.ts';

// Each run has its own database and (where redis-server is installed) its own Redis, so that runs started
// side by side — two terminals, a watcher and CI — never see each other's data.
const DATABASE_PREFIX = 'parkedge_test_';

declare module 'vitest' {
  export interface ProvidedContext {
    redisRestUrl: string;
    redisToken: string;
    neonSqlEndpoint: string;
    neonControlUrl: string;
    databaseUrl: string;
    deadUrl: string;
    hangingUrl: string;
    isolatedRedisUrl: string;
    scanRedisUrl: string;
    healthRedisUrl: string;
    listsDatabaseUrl: string;
    listsRedisUrl: string;
    cronRedisUrl: string;
    cronDatabaseUrl: string;
    webhookReceiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  server.pathname = '/postgres';
  if (await postgresAnswers(server.toString())) await dropOrphanDatabases(server.toString(), DATABASE_PREFIX);
  const databaseUrl = new URL(server);
  databaseUrl.pathname = `/${DATABASE_PREFIX}${process.pid}_${Date.now().toString(36)}`;

  const stack = await startStack({
    redis: {
      host: process.env.REDIS_HOST ?? '127.0.0.1',
      port: Number(process.env.REDIS_PORT ?? 6379),
      db: Number(process.env.REDIS_TEST_DB ?? 15),
    },
    privateRedis: true,
    databaseUrl: databaseUrl.toString(),
    recreateDatabase: true,
    flushRedis: true,
    redisToken: 'test-token',
    log: (line) => console.log(`[test stack] ${line}`),
  });

  // A second Upstash endpoint on another database of the same Redis, for the one test file that asserts exact
  // values of the global counters (other files, running meanwhile, increment them on the main database).
  const isolated = await startRedisRest({ token: stack.redisToken, target: { ...stack.redisTarget, db: 1 } });

  // Another database of its own, for the dashboard's namespace scan, whose tests must know the whole keyspace.
  const scan = await startRedisRest({ token: stack.redisToken, target: { ...stack.redisTarget, db: 2 } });

  // And one for the daily job at scale (test/redis/cron-scale.test.ts), whose tests seed and count the whole keyspace,
  // with a PostgreSQL database of its own besides: the job applies every pending cache invalidation it finds, and on
  // the shared database it would take those of other files away from the Redis they were meant for. (PGlite has
  // one database: there the file refuses to run, as the race tests do.)
  const cron = await startRedisRest({ token: stack.redisToken, target: { ...stack.redisTarget, db: 4 } });
  const cronDatabase = new URL(stack.databaseUrl);
  cronDatabase.pathname = `${cronDatabase.pathname}_cron`;
  if (stack.postgresKind === 'postgres') {
    await ensureDatabase(cronDatabase.toString(), { recreate: true });
    await migrateDatabase(cronDatabase.toString());
  }

  // A redis-server of its own for the health checks' cost test, which counts every command Redis runs
  // (INFO commandstats is per server). Without redis-server installed it shares the stack's Redis (db 3),
  // and commands that other files run meanwhile show in its counts.
  const healthServer = await spawnRedisServer(await freePort());
  const health = await startRedisRest({
    token: stack.redisToken,
    target: healthServer ? { host: '127.0.0.1', port: healthServer.port, db: 0 } : { ...stack.redisTarget, db: 3 },
  });

  // A database and a Redis database of their own for the tests of the cached first pages of the lists
  // (`users:all`, `parking_lots:all`): on the shared database the rows a test makes are never on the first page.
  const listsDatabaseUrl = new URL(stack.databaseUrl);
  listsDatabaseUrl.pathname = `${listsDatabaseUrl.pathname}_lists`;
  if (stack.postgresKind === 'postgres') {
    await ensureDatabase(listsDatabaseUrl.toString(), { recreate: true });
    await migrateDatabase(listsDatabaseUrl.toString());
  }
  const lists = await startRedisRest({ token: stack.redisToken, target: { ...stack.redisTarget, db: 5 } });

  const hanging = net.createServer(() => {}); // accepts, reads nothing, answers nothing
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const hangingPort = (hanging.address() as net.AddressInfo).port;

  const receiver = await startWebhookReceiver();

  project.provide('redisRestUrl', stack.redisRest.url);
  project.provide('redisToken', stack.redisToken);
  project.provide('neonSqlEndpoint', stack.neonHttp.sqlEndpoint);
  project.provide('neonControlUrl', stack.neonHttp.url);
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('deadUrl', `http://127.0.0.1:${await freePort()}`);
  project.provide('hangingUrl', `http://127.0.0.1:${hangingPort}`);
  project.provide('isolatedRedisUrl', isolated.url);
  project.provide('scanRedisUrl', scan.url);
  project.provide('healthRedisUrl', health.url);
  project.provide('listsDatabaseUrl', listsDatabaseUrl.toString());
  project.provide('listsRedisUrl', lists.url);
  project.provide('cronRedisUrl', cron.url);
  project.provide('cronDatabaseUrl', stack.postgresKind === 'postgres' ? cronDatabase.toString() : stack.databaseUrl);

  project.provide('webhookReceiverUrl', receiver.url);

  return async () => {
    hanging.close();
    await receiver.close();
    await isolated.close();
    await scan.close();
    await cron.close();
    await health.close();
    await lists.close();
    await healthServer?.stop();
    await stack.stop();
    if (stack.postgresKind === 'postgres') {
      for (const url of [stack.databaseUrl, listsDatabaseUrl.toString(), cronDatabase.toString()]) await dropDatabase(url).catch(() => {});
    }
  };
}
