// The one Redis adapter the services use: the design document's utility functions (cacheSet, cacheGet,
// cacheDelete, incrementCounter, addToSet, rateLimitCheck) and the reads the reports and the dashboard need.
// Each goes through the request's gateway (one pipeline per tick, bounded by its timeout and circuit breaker)
// and none throws when Redis is down or not configured (the gateway then refuses every command): reads answer
// "nothing", writes are skipped and say so, rate limits let the request through.
//
// The cache is versioned so that a slow fill can never overwrite a newer write: a lookup remembers the version
// it saw, cacheSet only writes if that version is still current, and every write bumps the version when it is
// done — clearing the entry (cacheDelete) or storing the entity's new state (cacheRefresh). See scripts.ts.
import { RedisUnavailable, type Pipeline, type RedisGateway } from './gateway.ts';
import { keys, MAX_CACHED_BYTES, ttl } from './keys.ts';
import { slidingWindow, type RateLimitResult } from './rate-limit.ts';
import { fillScript, invalidateScript, refreshScript, runScript, type Script } from './scripts.ts';
import { GeoStore } from './geo-store.ts';

export type { RateLimitResult } from './rate-limit.ts';

/** What a cache lookup found; `version` is null when Redis could not be asked (then nothing is filled). */
export interface CacheLookup<T> {
  value: T | null;
  version: string | null;
}

const NOTHING: CacheLookup<never> = { value: null, version: null };

/** A string of at most this many UTF-16 units is surely within MAX_CACHED_BYTES (a unit is at most 3 bytes). */
const MAX_CACHED_CHARS = Math.floor(MAX_CACHED_BYTES / 3);

/** Why a read failed, when Redis answered with an error rather than not at all. */
function warnUnlessUnreachable(error: unknown): void {
  if (!(error instanceof RedisUnavailable)) console.warn('redis command failed', String(error));
}

export class RedisStore {
  /** The transport, for the daily job alone: it must know when Redis fails, where services carry on. */
  readonly gateway: RedisGateway;
  private readonly seenVersions = new Map<string, string>();
  private prefetched = new Map<string, CacheLookup<unknown>>();
  private trusted = false;

  /** The lots' positions and live entries, for the search by distance. */
  readonly geo: GeoStore;

  constructor(gateway: RedisGateway) {
    this.gateway = gateway;
    this.geo = new GeoStore(this);
  }

  /** Round trips this request made, for the development-only X-Redis-Round-Trips header. */
  get roundTrips(): number {
    return this.gateway.roundTrips;
  }

  /**
   * The gate's decision that what this request read from Redis may be used (see reconcile.ts), with the cache
   * entries it fetched in the first round trip.
   */
  trustReads(fetched: Iterable<readonly [string, CacheLookup<unknown>]>): void {
    this.trusted = true;
    this.prefetched = new Map(fetched);
  }

  get readsTrusted(): boolean {
    return this.trusted;
  }

  /** What the gate fetched for `key`, or a fresh lookup (one more round trip); nothing while reads are not trusted. */
  entry<T>(key: string): Promise<CacheLookup<T>> {
    if (!this.trusted) return Promise.resolve(NOTHING);
    const fetched = this.prefetched.get(key);
    return fetched ? Promise.resolve(fetched as CacheLookup<T>) : this.cacheGet<T>(key);
  }

  /** The value and the version it was read at (which a later cacheSet compares against), in one MGET. */
  async cacheGet<T>(key: string): Promise<CacheLookup<T>> {
    const found = await this.read<(string | null)[]>((p) => p.mget(key, keys.cacheVersion(key)));
    if (!found) return NOTHING;
    const [raw, version] = found;
    this.seenVersions.set(key, version ?? '');
    return { value: raw === null || raw === undefined ? null : (JSON.parse(raw) as T), version: version ?? '' };
  }

  /**
   * Stores a value. After a lookup of the same key it is a compare-and-set against the version seen then,
   * so data read from the database before a concurrent invalidation is never cached.
   */
  async cacheSet(key: string, value: unknown, ttlSeconds = 300): Promise<boolean> {
    const json = JSON.stringify(value);
    // A value this large is a page that should have been smaller: not cached (reads go to Postgres), and said.
    if (json.length > MAX_CACHED_CHARS && new TextEncoder().encode(json).byteLength > MAX_CACHED_BYTES) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'cache value too large, not cached', key, bytes: new TextEncoder().encode(json).byteLength }));
      return false;
    }
    const seen = this.seenVersions.get(key);
    if (seen === undefined) return (await this.write((p) => p.set(key, json, { ex: ttlSeconds }))) !== null;
    const stored = await this.script(fillScript, [key, keys.cacheVersion(key)], [json, String(ttlSeconds), seen]);
    return stored === 1;
  }

  /**
   * After a write that knows the entity's new state: stores it unless the entry holds a later state (`source`
   * orders them), or, with `value` null, marks the entity gone. False when Redis could not be reached.
   */
  async cacheRefresh(key: string, value: unknown, ttlSeconds: number, source: readonly [number, number] | null): Promise<boolean> {
    const json = value === null ? '' : JSON.stringify(value);
    const args = [json, String(ttlSeconds), source ? `${source[0]}:${source[1]}` : '0:0', String(ttl.cacheVersion)];
    return (await this.script(refreshScript, [key, keys.cacheVersion(key), keys.cacheSource(key)], args)) !== null;
  }

  /** Removes cached values and bumps their versions. False when Redis could not be reached. */
  cacheDelete(...cacheKeys: string[]): Promise<boolean> {
    return this.invalidate(cacheKeys);
  }

  async incrementCounter(key: string, by = 1): Promise<void> {
    await this.write((p) => p.incrby(key, by));
  }

  async addToSet(key: string, member: string | number, ttlSeconds: number): Promise<void> {
    await Promise.all([this.write((p) => p.sadd(key, String(member))), this.write((p) => p.expire(key, ttlSeconds))]);
  }

  async removeFromSet(key: string, member: string | number): Promise<void> {
    await this.write((p) => p.srem(key, String(member)));
  }

  /** Counts one request of `identity` (a user id, `ip:…`, `login:…`) on `endpoint`; a negative `cost` refunds. */
  async rateLimitCheck(identity: string, endpoint: string, maxRequests: number, windowSeconds: number, cost = 1): Promise<RateLimitResult> {
    try {
      return await slidingWindow(this.gateway, identity, endpoint, maxRequests, windowSeconds, cost);
    } catch (error) {
      warnUnlessUnreachable(error);
      return { allowed: true };
    }
  }

  /** Counter values in the order of `names` (missing or not a count: 0); null when Redis could not be asked. */
  async readCounters(names: readonly string[]): Promise<number[] | null> {
    if (names.length === 0) return [];
    const values = await this.read<(string | number | null)[]>((p) => p.mget(...names));
    return values && values.map(toCount);
  }

  /** One command's answer, or why there is none: Redis unreachable, not configured, or its error. */
  async attempt<T>(build: (pipeline: Pipeline) => Pipeline): Promise<{ value: T } | { error: string }> {
    try {
      return { value: await this.gateway.call<T>(build) };
    } catch (error) {
      warnUnlessUnreachable(error);
      return { error: error instanceof RedisUnavailable ? error.message : `Redis refused: ${String(error)}` };
    }
  }

  /** One command's answer, or null when there is none. */
  async read<T>(build: (pipeline: Pipeline) => Pipeline): Promise<T | null> {
    const outcome = await this.attempt<T>(build);
    return 'value' in outcome ? outcome.value : null;
  }

  /** One of the app's scripts (scripts.ts), for the stores of other concerns; null when Redis could not run it. */
  runAppScript<T>(s: Script, scriptKeys: string[], args: string[]): Promise<T | null> {
    return this.script<T>(s, scriptKeys, args);
  }

  private write(build: (pipeline: Pipeline) => Pipeline): Promise<unknown> {
    return this.read(build);
  }

  private async script<T>(s: Parameters<typeof runScript>[1], scriptKeys: string[], args: string[]): Promise<T | null> {
    try {
      return await runScript<T>(this.gateway, s, scriptKeys, args);
    } catch (error) {
      warnUnlessUnreachable(error);
      return null;
    }
  }

  private async invalidate(cacheKeys: string[]): Promise<boolean> {
    if (cacheKeys.length === 0) return true;
    const scriptKeys = cacheKeys.flatMap((k) => [k, keys.cacheVersion(k)]);
    return (await this.script(invalidateScript, scriptKeys, [String(ttl.cacheVersion)])) !== null;
  }
}

export function toCount(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
