// The Upstash client, configured for an API that must not wait on Redis: no retries (the SDK would retry
// network errors 5 times, about 4 s), every request aborted after the timeout, values left as the strings
// Redis holds (the app parses its own JSON). Without Redis configured the gateway has no client and refuses
// every command, so the store answers as it does when Redis is down, and no caller has to ask first.
import { Redis } from '@upstash/redis/cloudflare';
import type { Config } from '../env.ts';
import { breakerFor } from './breaker.ts';
import { RedisGateway, type SyncState } from './gateway.ts';
import { RedisStore } from './store.ts';

const syncStates = new Map<string, SyncState>();

function syncStateFor(url: string): SyncState {
  let state = syncStates.get(url);
  if (!state) syncStates.set(url, (state = { token: '' }));
  return state;
}

function createRedisGateway(config: Config): RedisGateway {
  if (!config.redisUrl || !config.redisToken) return new RedisGateway(null, null, config.redisTimeoutMs);
  const client = new Redis({
    url: config.redisUrl,
    token: config.redisToken,
    retry: { retries: 0 },
    signal: () => AbortSignal.timeout(config.redisTimeoutMs),
    automaticDeserialization: false,
    enableTelemetry: false,
    latencyLogging: false,
    keepAlive: false,
  });
  return new RedisGateway(client, breakerFor(config.redisUrl, config.redisCooldownMs), config.redisTimeoutMs, syncStateFor(config.redisUrl), config.redisBatching);
}

export function createRedisStore(config: Config): RedisStore {
  return new RedisStore(createRedisGateway(config));
}
