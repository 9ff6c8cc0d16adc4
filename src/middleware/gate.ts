// The gate in front of every API route, in two halves around the route's validation, so that a request the
// gate or validation refuses does no work: nothing written, cleared or queued, no Postgres query.
//  1. checkCredentials (route middleware, before validation, no I/O): names the endpoint and reads the
//     credentials; a malformed token, or none on a route that needs one, is 401 at once.
//  2. admit (after validation): in ONE Redis round trip it fetches the caller's cached session and user, counts
//     the request against its rate limit and makes the route's reads (cache entries, a search); then it decides:
//     401, 429 or 403, or on to the handler.
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../app-env.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { counters } from '../redis/keys.ts';
import { ensureCacheTrusted } from '../redis/reconcile.ts';
import type { RateLimitResult } from '../redis/store.ts';
import { cachedCaller, loadCaller, lookupCaller } from '../services/auth/caller.ts';
import { parseToken, type ParsedToken } from '../services/auth/tokens.ts';

export type Access = 'anyone' | 'signed-in' | 'admin';

/** What the gate needs to know of a route; the functions see the route's validated input. */
export interface Guard<C extends Context<AppEnv> = Context<AppEnv>> {
  access: Access;
  /** Cache keys the handler reads, fetched with the session and the rate limit. */
  prefetch?: (c: C) => string[];
  /**
   * Other Redis reads of the handler (deps.request.early), started in the same round trip. They must only read:
   * the request may yet be refused, and a refused request writes nothing.
   */
  early?: (c: C) => void;
  /**
   * Also accept a session cookie, read by this function (the admin pages: GET only). A cookie that does not
   * hold a live session makes the caller anonymous rather than refused, so the page can offer the sign-in.
   */
  cookie?: (c: Context<AppEnv>) => string | undefined;
}

const HOUR = 3600;

export function clientIp(c: Context<AppEnv>): string {
  return c.req.header('cf-connecting-ip')?.trim() || 'unknown';
}

const ipIdentity = (c: Context<AppEnv>) => `ip:${clientIp(c)}`;

function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/** `GET /parking-lots/:id`: the route pattern counters and rate limits use. A HEAD is its GET. */
function endpointOf(c: Context<AppEnv>): string {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  return `${method} ${routePath(c)}`;
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

/** Whether this check counted the request (Redis answered and let it through): only that may be refunded. */
const charged = (result: RateLimitResult) => result.allowed && result.limit !== undefined;

/** The first half: no I/O. */
export function checkCredentials(guard: Guard<never>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('endpoint', endpointOf(c));
    const bearer = bearerToken(c);
    const isGet = c.req.method === 'GET' || c.req.method === 'HEAD';
    const cookie = bearer === null && isGet ? guard.cookie?.(c) : undefined;
    if (bearer !== null && !parseToken(bearer)) throw new AppError('unauthorized', 'The bearer token is malformed.');
    const token = parseToken(bearer ?? cookie ?? '');
    if (!token && guard.access !== 'anyone') throw new AppError('unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
    c.set('credentials', token ? { token, viaCookie: cookie !== undefined } : null);
    await next();
  };
}

interface Proof {
  user: Awaited<ReturnType<typeof loadCaller>>;
  /** The limit this request answers to: the user's when proven, else the client IP's. */
  rate: RateLimitResult;
}

/**
 * Proves a claimed token. When the cache cannot, Postgres decides, but only after the request was charged to
 * the client IP as an anonymous one: made-up tokens from one IP cost at most its anonymous limit in queries.
 * Whatever was charged to an identity the request turned out not to be is refunded after the response.
 */
async function prove(c: Context<AppEnv>, deps: Deps, token: ParsedToken, lookups: ReturnType<typeof lookupCaller>, userCharge: RateLimitResult): Promise<Proof> {
  const endpoint = c.var.endpoint!;
  const refund = (identity: string, max: number) => void deps.request.defer(() => deps.redis.rateLimitCheck(identity, endpoint, max, HOUR, -1));
  const cached = await cachedCaller(deps, token, lookups);
  if (cached) return { user: cached, rate: userCharge };

  const anonymous = deps.config.rateLimitAnonymousPerHour;
  const ipCharge = await deps.redis.rateLimitCheck(ipIdentity(c), endpoint, anonymous, HOUR);
  const user = ipCharge.allowed ? await loadCaller(deps, token, lookups) : null;
  if (user) {
    if (charged(ipCharge)) refund(ipIdentity(c), anonymous);
    return { user, rate: userCharge };
  }
  if (charged(userCharge)) refund(String(token.userId), deps.config.rateLimitPerHour);
  return { user: null, rate: ipCharge };
}

/** The second half, after validation: the request's first Redis round trip and the decision. */
export async function admit<C extends Context<AppEnv>>(c: C, guard: Guard<C>): Promise<void> {
  const deps = c.var.deps;
  const endpoint = c.var.endpoint!;
  const credentials = c.var.credentials ?? null;
  const token = credentials?.token ?? null;
  const prefetchKeys = guard.prefetch?.(c) ?? [];
  const identity = token ? String(token.userId) : ipIdentity(c);
  const limit = token ? deps.config.rateLimitPerHour : deps.config.rateLimitAnonymousPerHour;

  // Everything below is queued in one tick and leaves in one pipeline (see redis/gateway.ts).
  const trust = ensureCacheTrusted(deps);
  const lookups = token ? lookupCaller(deps, token) : null;
  const rate = deps.redis.rateLimitCheck(identity, endpoint, limit, HOUR);
  const entries = Promise.all(prefetchKeys.map(async (key) => [key, await deps.redis.cacheGet(key)] as const));
  guard.early?.(c);

  const [{ trusted, generation }, counted, found] = await Promise.all([trust, rate, entries]);
  if (trusted && deps.redis.gateway.recoveries === generation) deps.redis.trustReads(found);

  let rateResult = counted;
  if (token) {
    const proof = await prove(c, deps, token, lookups!, counted);
    rateResult = proof.rate;
    if (proof.user) {
      c.set('user', proof.user);
      c.set('sessionHash', token.hash);
    } else if (!credentials!.viaCookie && rateResult.allowed) {
      throw new AppError('unauthorized', 'The session has ended or never existed. Sign in again.');
    }
  }

  rateLimitHeaders(c, rateResult);
  if (!rateResult.allowed) {
    deps.request.count(counters.rateLimitViolations);
    throw rateLimited();
  }
  if (guard.access === 'admin' && c.var.user?.role !== 'admin') {
    throw new AppError('forbidden', 'Only admins may do this.');
  }
}
