// Starts what the tests need before any test file runs, and stops it after the last: the local stack
// (a real Redis and a real PostgreSQL behind their stand-ins) on a test database of its own, and two
// broken endpoints for the outage tests: a port nobody listens on and a server that accepts and never answers.
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { freePort } from '../dev/lib/probe.ts';
import { startStack } from '../dev/lib/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisRestUrl: string;
    redisToken: string;
    neonSqlEndpoint: string;
    neonControlUrl: string;
    databaseUrl: string;
    deadUrl: string;
    hangingUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startStack({
    redis: {
      host: process.env.REDIS_HOST ?? '127.0.0.1',
      port: Number(process.env.REDIS_PORT ?? 6379),
      db: Number(process.env.REDIS_TEST_DB ?? 15),
    },
    databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/parkedge_test',
    recreateDatabase: true,
    flushRedis: true,
    redisToken: 'test-token',
    log: (line) => console.log(`[test stack] ${line}`),
  });

  const hanging = net.createServer(() => {}); // accepts, reads nothing, answers nothing
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const hangingPort = (hanging.address() as net.AddressInfo).port;

  project.provide('redisRestUrl', stack.redisRest.url);
  project.provide('redisToken', stack.redisToken);
  project.provide('neonSqlEndpoint', stack.neonHttp.sqlEndpoint);
  project.provide('neonControlUrl', stack.neonHttp.url);
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('deadUrl', `http://127.0.0.1:${await freePort()}`);
  project.provide('hangingUrl', `http://127.0.0.1:${hangingPort}`);

  return async () => {
    hanging.close();
    await stack.stop();
  };
}
