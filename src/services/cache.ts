// Read-through caching and invalidation for the services, on top of the Redis store. Reads use what the gate
// fetched in the request's first round trip; fills and counters go out after the response.
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { counters } from '../redis/keys.ts';
import { rememberStale } from '../redis/reconcile.ts';

/** Counts the lookup; on a miss loads the value and caches it after the response (if Redis was reachable). */
export async function cached<T>(deps: Deps, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const found = await deps.redis.entry<T>(key);
  if (found.value !== null) {
    deps.request.count(counters.cacheHits);
    return found.value;
  }
  if (found.version !== null) deps.request.count(counters.cacheMisses);
  const value = await load();
  if (found.version !== null && value !== null && value !== undefined) {
    deps.request.defer(() => deps.redis.cacheSet(key, value, ttlSeconds));
  }
  return value;
}

/** Clears cache entries now, after a committed write whose keys were not known before it. */
export async function invalidateNow(deps: Deps, keys: string[]): Promise<void> {
  if (!(await deps.redis.cacheDelete(...keys))) await rememberStale(deps, keys);
}

/**
 * Runs a write whose cache keys are known before it, with those keys held: the hold (clear the values, mark a
 * writer in flight so nobody fills them) goes out alongside the write's first Postgres round trip, and the
 * response waits for both, so the caller waits no longer than for the write while a read after the response
 * never finds the old value. After the response the hold ends, in the pipeline of the counters. Only an accepted
 * request gets here (the gate and validation ran first), so a refused one holds nothing. A write that could not
 * be cleared in Redis is remembered in Postgres, unless it was refused (a 4xx AppError commits nothing).
 */
export async function whileHolding<T>(deps: Deps, keys: string[], write: () => Promise<T>): Promise<T> {
  if (keys.length === 0) return write();
  const held = deps.redis.cacheHold(...keys);
  let refused = false;
  try {
    return await write();
  } catch (error) {
    refused = error instanceof AppError && error.status < 500;
    throw error;
  } finally {
    await held;
    deps.request.defer(async () => {
      if (!(await deps.redis.cacheRelease(...keys)) && !refused) await rememberStale(deps, keys);
    });
  }
}
