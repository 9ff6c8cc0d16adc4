// The gate in front of every API route. In ONE Redis round trip it fetches the caller's cached session and
// user, counts the request against its rate limit, reads the cache entries the route will need and holds
// the ones it will change; then it decides: 401, 429 or 403, or on to the handler.
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import { adminSessionToken } from './cookies.ts';
import { counters } from '../redis/keys.ts';
import { ensureCacheTrusted } from '../redis/reconcile.ts';
import type { RateLimitResult } from '../redis/utils.ts';
import { lookupCaller, resolveCaller } from '../services/auth/caller.ts';
import { parseToken } from '../services/auth/tokens.ts';
import { releaseAfterResponse } from '../services/cache.ts';

export type Access = 'anyone' | 'signed-in' | 'admin';

export interface GateOptions {
  access: Access;
  /** Cache keys the handler reads, fetched with the session and the rate limit. */
  prefetch?: (c: Context<AppEnv>) => string[];
  /**
   * Cache keys the handler's write changes: cleared and held from the first round trip until it is done.
   * Gets the user id the caller's token claims (not yet proven: the check leaves in the same round trip).
   */
  holds?: (c: Context<AppEnv>, claimedUserId: number | null) => string[] | Promise<string[]>;
  /**
   * Also accept the admin session cookie (browser pages: GET under /admin only). A cookie that does not
   * hold a live session makes the caller anonymous rather than refused, so the page can offer the sign-in.
   */
  cookie?: boolean;
}

const HOUR = 3600;

export function clientIp(c: Context<AppEnv>): string {
  return c.req.header('cf-connecting-ip')?.trim() || 'unknown';
}

function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/** Positive integer path parameter, or null (the route's validation then answers 422). */
export function idParam(c: Context<AppEnv>, name = 'id'): number | null {
  const value = Number(c.req.param(name));
  return Number.isInteger(value) && value > 0 && value <= 2_147_483_647 ? value : null;
}

export function rateLimitHeaders(c: Context<AppEnv>, result: RateLimitResult): void {
  if (result.limit === undefined || result.resetAt === undefined) return;
  const resetSeconds = Math.max(0, Math.ceil((result.resetAt - Date.now()) / 1000));
  c.header('RateLimit-Limit', String(result.limit));
  c.header('RateLimit-Remaining', String(result.remaining ?? 0));
  c.header('RateLimit-Reset', String(resetSeconds));
  if (!result.allowed) c.header('Retry-After', String(Math.max(1, resetSeconds)));
}

export function rateLimited(): AppError {
  return new AppError('rate_limited', 'Too many requests. Retry after the time in the Retry-After header.');
}

export function gate(options: GateOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.var.deps;
    const endpoint = `${c.req.method} ${routePath(c)}`;
    c.set('endpoint', endpoint);

    const bearer = bearerToken(c);
    const cookie = bearer === null && options.cookie && c.req.method === 'GET' ? adminSessionToken(c) : undefined;
    if (bearer !== null && !parseToken(bearer)) throw new AppError('unauthorized', 'The bearer token is malformed.');
    const token = parseToken(bearer ?? cookie ?? '');
    if (!token && options.access !== 'anyone') throw new AppError('unauthorized', 'Sign in first: send Authorization: Bearer <token>.');

    const holdKeys = (await options.holds?.(c, token?.userId ?? null)) ?? [];
    const prefetchKeys = options.prefetch?.(c) ?? [];
    const identity = token ? String(token.userId) : `ip:${clientIp(c)}`;
    const limit = token ? deps.config.rateLimitPerHour : deps.config.rateLimitAnonymousPerHour;

    // Everything below is queued in one tick and leaves in one pipeline (see redis/gateway.ts).
    const trust = ensureCacheTrusted(deps);
    const caller = token ? lookupCaller(deps, token) : null;
    const rate = deps.redis.rateLimitCheck(identity, endpoint, limit, HOUR);
    const entries = Promise.all(prefetchKeys.map(async (key) => [key, await deps.redis.cacheLookup(key)] as const));
    const held = deps.redis.cacheHold(...holdKeys);
    releaseAfterResponse(deps, holdKeys);

    const [{ trusted, generation }, counted, found] = await Promise.all([trust, rate, entries, held]);
    let rateResult = counted;
    deps.cacheTrusted = trusted && deps.gateway.recoveries === generation;
    if (deps.cacheTrusted) deps.prefetched = new Map(found);

    if (token) {
      const user = await resolveCaller(deps, token, caller!);
      if (!user) {
        // Counted under a user id it could not prove: given back to that user, and charged to the client's IP
        // as an anonymous request instead, so that made-up tokens are limited like any anonymous caller.
        if (rateResult.limit !== undefined) deps.afterResponse.push(() => deps.redis.rateLimitCheck(identity, endpoint, limit, HOUR, -1));
        rateResult = await deps.redis.rateLimitCheck(`ip:${clientIp(c)}`, endpoint, deps.config.rateLimitAnonymousPerHour, HOUR);
        if (!cookie && rateResult.allowed) throw new AppError('unauthorized', 'The session has ended or never existed. Sign in again.');
      } else {
        c.set('user', user);
        c.set('sessionHash', token.hash);
      }
    }

    rateLimitHeaders(c, rateResult);
    if (!rateResult.allowed) {
      deps.counts.push(counters.rateLimitViolations);
      throw rateLimited();
    }
    if (options.access === 'admin' && c.var.user?.role !== 'admin') {
      throw new AppError('forbidden', 'Only admins may do this.');
    }
    await next();
  };
}
