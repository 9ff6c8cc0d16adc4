// A local edge stack for tests and benchmarks: a real redis-server and a real PostgreSQL (or embedded
// PGlite when none answers), each behind its stand-in (the Upstash REST endpoint, the Neon /sql endpoint).
import { PGlite } from '@electric-sql/pglite';
import { PgliteBackend, PostgresBackend, type Backend } from '../neon-http/backends.ts';
import { startNeonHttp, type NeonHttpServer } from '../neon-http/server.ts';
import type { RedisTarget } from '../redis-rest/connection.ts';
import { startRedisRest, type RedisRestServer } from '../redis-rest/server.ts';
import { ensureDatabase, migrateDatabase, useSqlEndpoint } from './database.ts';
import { freePort, postgresAnswers, redisAnswers } from './probe.ts';
import { spawnRedisServer, type SpawnedRedis } from './redis-server.ts';

export interface StackOptions {
  redis: RedisTarget;
  /** Start a private redis-server (when installed) instead of using `redis`, so that runs never share data. */
  privateRedis?: boolean;
  /** With privateRedis: keep its data in an append-only file there, so that it survives a kill and restart. */
  redisDataDir?: string;
  /** The PostgreSQL database to use; created (afresh with `recreateDatabase`) when reachable. */
  databaseUrl: string;
  recreateDatabase?: boolean;
  /** Flush the Redis database first (tests start from nothing). */
  flushRedis?: boolean;
  redisToken: string;
  log?: (line: string) => void;
}

export interface Stack {
  redisRest: RedisRestServer;
  /** The redis-server behind the Upstash stand-in. */
  redisTarget: RedisTarget;
  /** That redis-server's process, when the stack started it (privateRedis), to kill and restart it. */
  redisServer: SpawnedRedis | null;
  neonHttp: NeonHttpServer;
  databaseUrl: string;
  redisToken: string;
  postgresKind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  let redis = options.redis;
  let redisServer: SpawnedRedis | null = null;
  if (options.privateRedis) {
    redisServer = await spawnRedisServer(await freePort(), { dataDir: options.redisDataDir });
    if (redisServer) {
      stops.push(() => redisServer!.stop());
      redis = { host: '127.0.0.1', port: redisServer.port, db: 0 };
    }
  }
  if (!(await redisAnswers(redis))) {
    const spawned: SpawnedRedis | null = await spawnRedisServer(await freePort());
    if (!spawned) throw new Error(`no Redis answers at ${redis.host}:${redis.port} and redis-server is not installed`);
    log(`started redis-server on port ${spawned.port}`);
    stops.push(() => spawned.stop());
    redis = { host: '127.0.0.1', port: spawned.port, db: redis.db };
    redisServer = spawned;
  }
  if (options.flushRedis) {
    const { RedisConnection } = await import('../redis-rest/connection.ts');
    const connection = new RedisConnection(redis);
    await connection.ready;
    await connection.send(['FLUSHDB']);
    connection.close();
  }

  let backend: Backend;
  let postgresKind: Stack['postgresKind'];
  const adminUrl = new URL(options.databaseUrl);
  adminUrl.pathname = '/postgres';
  if (await postgresAnswers(adminUrl.toString())) {
    await ensureDatabase(options.databaseUrl, { recreate: options.recreateDatabase ?? false });
    backend = new PostgresBackend();
    postgresKind = 'postgres';
  } else {
    log('no PostgreSQL answers: using embedded PGlite');
    backend = new PgliteBackend(await PGlite.create(), options.databaseUrl);
    postgresKind = 'pglite';
  }
  stops.push(() => backend.close());

  const redisRest = await startRedisRest({ token: options.redisToken, target: redis });
  const neonHttp = await startNeonHttp({ backend });
  stops.push(redisRest.close, neonHttp.close);

  useSqlEndpoint(neonHttp.sqlEndpoint);
  await migrateDatabase(options.databaseUrl);

  return {
    redisRest,
    redisTarget: redis,
    redisServer,
    neonHttp,
    databaseUrl: options.databaseUrl,
    redisToken: options.redisToken,
    postgresKind,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    },
  };
}
