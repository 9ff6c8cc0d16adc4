// Everything a request (or the cron job) needs, built fresh for each from the bindings: Workers forbid
// reusing one request's I/O objects in another, so nothing here is global.
import { createDatabase, type Database } from './db/client.ts';
import { readConfig, type Config, type Env } from './env.ts';
import { createRedisGateway } from './redis/client.ts';
import type { RedisGateway } from './redis/gateway.ts';
import { RedisUtils, type CacheLookup } from './redis/utils.ts';

export interface Deps {
  config: Config;
  db: Database;
  gateway: RedisGateway;
  redis: RedisUtils;
  /** Counter increments of this request; written after the response, in one pipeline. */
  counts: string[];
  /** Work for after the response (cache fills, hold releases); started together so it shares one round trip. */
  afterResponse: (() => Promise<unknown>)[];
  /** Cache entries fetched in the request's first round trip (by the gate). */
  prefetched: Map<string, CacheLookup<unknown>>;
  /** Whether values read from Redis may be used (see redis/reconcile.ts). */
  cacheTrusted: boolean;
}

export function makeDeps(env: Env): Deps {
  const config = readConfig(env);
  const gateway = createRedisGateway(config);
  return {
    config,
    db: createDatabase(config),
    gateway,
    redis: new RedisUtils(gateway),
    counts: [],
    afterResponse: [],
    prefetched: new Map(),
    cacheTrusted: false,
  };
}
