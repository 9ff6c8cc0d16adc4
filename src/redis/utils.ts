// The design document's Redis utility functions, as one small typed module that the rest of the code uses.
// Each is bounded (through the gateway's timeout and circuit breaker) and never throws when Redis is down:
// reads answer "nothing cached", writes are skipped, rate limits let the request through.
//
// The cache is versioned so that a slow fill can never overwrite a newer invalidation: cacheGet remembers
// the version it saw, cacheSet only writes if that version is still current and no writer holds the key,
// and cacheDelete bumps the version. See scripts.ts.
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import { RedisUnavailable, type RedisGateway } from './gateway.ts';
import { keys, ttl } from './keys.ts';
import { fillScript, holdScript, invalidateScript, runScript } from './scripts.ts';

export interface RateLimitResult {
  /** False only when Redis answered and the caller is over the limit. */
  allowed: boolean;
  /** Absent when Redis could not be asked (the limit is then open). */
  limit?: number;
  remaining?: number;
  /** Unix time in ms at which the window resets. */
  resetAt?: number;
}

/** What a cache lookup found; `version` is null when Redis could not be asked (then nothing is filled). */
export interface CacheLookup<T> {
  value: T | null;
  version: string | null;
}

function quiet(error: unknown): void {
  if (!(error instanceof RedisUnavailable)) console.warn('redis command failed', String(error));
}

export class RedisUtils {
  private readonly gateway: RedisGateway;
  private readonly seenVersions = new Map<string, string>();

  constructor(gateway: RedisGateway) {
    this.gateway = gateway;
  }

  get usable(): boolean {
    return this.gateway.usable;
  }

  async cacheGet<T>(key: string): Promise<T | null> {
    return (await this.cacheLookup<T>(key)).value;
  }

  /** The value and the version it was read at, in one MGET. */
  async cacheLookup<T>(key: string): Promise<CacheLookup<T>> {
    try {
      const [raw, version] = await this.gateway.call<(string | null)[]>((p) => p.mget(key, keys.cacheVersion(key)));
      this.seenVersions.set(key, version ?? '');
      return { value: raw === null || raw === undefined ? null : (JSON.parse(raw) as T), version: version ?? '' };
    } catch (error) {
      quiet(error);
      return { value: null, version: null };
    }
  }

  /**
   * Stores a value. After a cacheGet of the same key it is a compare-and-set against the version seen then,
   * so data read from the database before a concurrent invalidation is never cached.
   */
  async cacheSet(key: string, value: unknown, ttlSeconds = 300): Promise<boolean> {
    const json = JSON.stringify(value);
    try {
      const seen = this.seenVersions.get(key);
      if (seen === undefined) {
        await this.gateway.call((p) => p.set(key, json, { ex: ttlSeconds }));
        return true;
      }
      const stored = await runScript<number>(this.gateway, fillScript, [key, keys.cacheVersion(key), keys.cacheHold(key)], [json, String(ttlSeconds), seen]);
      return stored === 1;
    } catch (error) {
      quiet(error);
      return false;
    }
  }

  /** Removes cached values and bumps their versions. False when Redis could not be reached. */
  cacheDelete(...cacheKeys: string[]): Promise<boolean> {
    return this.invalidate(cacheKeys, false);
  }

  /**
   * Before a write whose keys are known up front: clears the values and marks a writer in flight, so that
   * nobody caches what they read until cacheRelease. Goes out with the request's first round trip.
   */
  async cacheHold(...cacheKeys: string[]): Promise<boolean> {
    if (cacheKeys.length === 0) return true;
    try {
      await runScript(this.gateway, holdScript, cacheKeys.flatMap((k) => [k, keys.cacheHold(k)]), [String(ttl.cacheHoldMs)]);
      return true;
    } catch (error) {
      quiet(error);
      return false;
    }
  }

  /** After the write of a cacheHold: clears the values again, bumps the versions, ends the hold. */
  cacheRelease(...cacheKeys: string[]): Promise<boolean> {
    return this.invalidate(cacheKeys, true);
  }

  async incrementCounter(key: string, by = 1): Promise<void> {
    try {
      await this.gateway.call((p) => p.incrby(key, by));
    } catch (error) {
      quiet(error);
    }
  }

  async addToSet(key: string, member: string | number, ttlSeconds: number): Promise<void> {
    try {
      await Promise.all([this.gateway.call((p) => p.sadd(key, String(member))), this.gateway.call((p) => p.expire(key, ttlSeconds))]);
    } catch (error) {
      quiet(error);
    }
  }

  async removeFromSet(key: string, member: string | number): Promise<void> {
    try {
      await this.gateway.call((p) => p.srem(key, String(member)));
    } catch (error) {
      quiet(error);
    }
  }

  /**
   * Counts one request of `userId` (any identifier) on `endpoint` in a sliding window of `@upstash/ratelimit`
   * under the prefix `rate_limit`. A negative `cost` refunds.
   */
  async rateLimitCheck(userId: string, endpoint: string, maxRequests: number, windowSeconds: number, cost = 1): Promise<RateLimitResult> {
    try {
      const result = await this.limiter(maxRequests, windowSeconds).limit(`${userId}:${endpoint}`, { rate: cost });
      return { allowed: result.success, limit: result.limit, remaining: result.remaining, resetAt: result.reset };
    } catch (error) {
      quiet(error);
      return { allowed: true };
    }
  }

  private async invalidate(cacheKeys: string[], endsHold: boolean): Promise<boolean> {
    if (cacheKeys.length === 0) return true;
    try {
      const scriptKeys = cacheKeys.flatMap((k) => [k, keys.cacheVersion(k), keys.cacheHold(k)]);
      await runScript(this.gateway, invalidateScript, scriptKeys, [endsHold ? '1' : '0', String(ttl.cacheVersion)]);
      return true;
    } catch (error) {
      quiet(error);
      return false;
    }
  }

  /** @upstash/ratelimit talks to Redis through the gateway, so its script joins the request's one round trip. */
  private limiter(maxRequests: number, windowSeconds: number): Ratelimit {
    const viaGateway = {
      evalsha: (sha: string, k: string[], a: unknown[]) => this.gateway.call((p) => p.evalsha(sha, k, a)),
      eval: (script: string, k: string[], a: unknown[]) => this.gateway.call((p) => p.eval(script, k, a)),
    } as unknown as Redis;
    return new Ratelimit({
      redis: viaGateway,
      limiter: Ratelimit.slidingWindow(maxRequests, `${windowSeconds} s`),
      prefix: keys.rateLimitPrefix,
      ephemeralCache: false,
      analytics: false,
      timeout: 0,
    });
  }
}
