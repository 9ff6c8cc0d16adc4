// Read-through caching and invalidation for the services, on top of the Redis store. Reads use what the gate
// fetched in the request's first round trip; fills and counters go out after the response.
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { counters } from '../redis/keys.ts';
import { rememberStale } from '../redis/reconcile.ts';

/**
 * Loads of an isolate, by key and the cache version their miss was read at: readers that miss the same entry at
 * the same version (nothing written since: a write changes the version) share one load, and for a moment after
 * it (until its fill has landed) its value, so a burst of readers after an invalidation costs one query per
 * isolate, not one each. A load belongs to the request that started it (Workers cancel it if that request ends
 * early): every other reader bounds its wait and then loads for itself.
 */
const loads = new Map<string, { value: Promise<unknown>; settledAt: number | null }>();
const SHARED_FOR_MS = 2000;

function forget(now: number): void {
  if (loads.size < 1000) return;
  for (const [name, load] of loads) if (load.settledAt !== null && now - load.settledAt > SHARED_FOR_MS) loads.delete(name);
}

/** The value, and whether this reader loaded it (then it fills the cache; those that shared it do not). */
async function sharedLoad<T>(name: string, load: () => Promise<T>, budgetMs: number): Promise<{ value: T; loaded: boolean }> {
  const now = Date.now();
  const current = loads.get(name);
  if (current && (current.settledAt === null || now - current.settledAt <= SHARED_FOR_MS)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ownLoad = new Promise<{ value: T; loaded: boolean }>((resolve, reject) => {
      timer = setTimeout(() => load().then((value) => resolve({ value, loaded: true }), reject), budgetMs);
    });
    return Promise.race([(current.value as Promise<T>).then((value) => ({ value, loaded: false })), ownLoad]).finally(() => clearTimeout(timer));
  }
  forget(now);
  const entry: { value: Promise<unknown>; settledAt: number | null } = { value: load(), settledAt: null };
  loads.set(name, entry);
  entry.value.then(
    () => (entry.settledAt = Date.now()),
    () => loads.get(name) === entry && loads.delete(name),
  );
  return { value: (await entry.value) as T, loaded: true };
}

/** Counts the lookup; on a miss loads the value and caches it after the response (if Redis was reachable). */
export async function cached<T>(deps: Deps, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const found = await deps.redis.entry<T>(key);
  if (found.value !== null) {
    deps.request.count(counters.cacheHits);
    return found.value;
  }
  if (found.version !== null) deps.request.count(counters.cacheMisses);
  // Without a version (Redis down) nothing says that no write came between two misses: every reader loads.
  if (found.version === null) return load();
  const { value, loaded } = await sharedLoad(`${key}@${found.version}`, load, deps.config.databaseTimeoutMs);
  if (loaded && value !== null && value !== undefined) {
    deps.request.defer(() => deps.redis.cacheSet(key, value, ttlSeconds));
  }
  return value;
}

/** An entry a write knows the new state of: stored anew rather than cleared (write-through). */
export interface Refresh {
  key: string;
  /** The new state, or null for an entity that is gone. */
  value: unknown;
  ttlSeconds: number;
  /** Orders the entity's states (e.g. a lot's availability version and updated_at ms): a later one is never overwritten. */
  source: readonly [number, number] | null;
}

/**
 * After a committed write, before its answer, in one round trip: the entries it made stale are cleared, and
 * those whose new state it knows are stored anew (so a busy lot stays cached), each bumping its version so that a
 * fill of data read before the write fails. A read after the answer therefore never finds the old value. Only a
 * write that changed something gets here: a refused one (the gate, validation, or the write's own statement)
 * clears nothing. What could not be done in Redis is remembered in Postgres (redis/reconcile.ts).
 */
export async function afterWrite(deps: Deps, change: { clear?: string[]; refresh?: Refresh[] }): Promise<void> {
  const clear = change.clear ?? [];
  const refresh = change.refresh ?? [];
  const done = await Promise.all([
    clear.length > 0 ? deps.redis.cacheDelete(...clear) : true,
    ...refresh.map((r) => deps.redis.cacheRefresh(r.key, r.value, r.ttlSeconds, r.source)),
  ]);
  if (done.some((ok) => !ok)) await rememberStale(deps, [...clear, ...refresh.map((r) => r.key)]);
}

/** Clears cache entries now, after a committed write. */
export function invalidateNow(deps: Deps, keys: string[]): Promise<void> {
  return afterWrite(deps, { clear: keys });
}

/**
 * Runs a write; when it fails in a way that may have committed (a lost answer, a timeout: not a refusal, which
 * commits nothing), the entries it may have changed are cleared all the same.
 */
export async function writing<T>(deps: Deps, keys: string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof AppError && error.status < 500)) await invalidateNow(deps, keys).catch(() => {});
    throw error;
  }
}
