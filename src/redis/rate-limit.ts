// Sliding-window rate limits with @upstash/ratelimit under the prefix `rate_limit`. The library talks to Redis
// through the request's gateway, so its script joins the request's one round trip.
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { RedisGateway } from './gateway.ts';
import { keys } from './keys.ts';

export interface RateLimitResult {
  /** False only when Redis answered and the caller is over the limit. */
  allowed: boolean;
  /** Absent when Redis could not be asked (the limit is then open). */
  limit?: number;
  remaining?: number;
  /** Unix time in ms at which the window resets. */
  resetAt?: number;
}

/** Counts `cost` requests of `identity` on `endpoint`; a negative cost refunds (the library never refuses one). */
export async function slidingWindow(gateway: RedisGateway, identity: string, endpoint: string, maxRequests: number, windowSeconds: number, cost: number): Promise<RateLimitResult> {
  const viaGateway = {
    evalsha: (sha: string, k: string[], a: unknown[]) => gateway.call((p) => p.evalsha(sha, k, a)),
    eval: (script: string, k: string[], a: unknown[]) => gateway.call((p) => p.eval(script, k, a)),
  } as unknown as Redis;
  const limiter = new Ratelimit({
    redis: viaGateway,
    limiter: Ratelimit.slidingWindow(maxRequests, `${windowSeconds} s`),
    prefix: keys.rateLimitPrefix,
    ephemeralCache: false,
    analytics: false,
    timeout: 0, // the gateway bounds the round trip
  });
  const result = await limiter.limit(`${identity}:${endpoint}`, { rate: cost });
  return { allowed: result.success, limit: result.limit, remaining: result.remaining, resetAt: result.reset };
}
