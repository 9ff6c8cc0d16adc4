// Who is calling: a bearer token checked against the cached session map and cached user (both fetched in
// the request's first round trip), and against Postgres when either is missing, after which both are cached.
import type { Deps } from '../../deps.ts';
import { counters, keys, ttl } from '../../redis/keys.ts';
import type { CacheLookup } from '../../redis/store.ts';
import { loadUserWithSessions, type LiveSessions } from './sessions.ts';
import type { ParsedToken } from './tokens.ts';
import type { User } from '../../schemas/users.ts';

export interface SessionLookups {
  sessions: Promise<CacheLookup<LiveSessions>>;
  user: Promise<CacheLookup<User>>;
}

/** Queues the two cache reads; they leave with the rest of the request's first round trip. */
export function lookupCaller(deps: Deps, token: ParsedToken): SessionLookups {
  return {
    sessions: deps.redis.cacheGet<LiveSessions>(keys.userSession(token.userId)),
    user: deps.redis.cacheGet<User>(keys.user(token.userId)),
  };
}

function count(deps: Deps, lookup: CacheLookup<unknown>, hit: boolean): void {
  if (lookup.version !== null) deps.request.count(hit ? counters.cacheHits : counters.cacheMisses);
}

/**
 * The signed-in user as the cache proves it (the session map holds the token's hash, unexpired, and the user is
 * cached); null when Postgres must decide. Counts the lookups.
 */
export async function cachedCaller(deps: Deps, token: ParsedToken, lookups: SessionLookups): Promise<User | null> {
  if (!deps.redis.readsTrusted) return null;
  const [sessionLookup, userLookup] = await Promise.all([lookups.sessions, lookups.user]);
  const cachedExpiry = sessionLookup.value?.[token.hash];
  const sessionHit = cachedExpiry !== undefined && cachedExpiry > Date.now();
  count(deps, sessionLookup, sessionHit);
  count(deps, userLookup, userLookup.value !== null);
  return sessionHit && userLookup.value ? userLookup.value : null;
}

/**
 * The signed-in user as Postgres knows it, or null when the token is unknown, ended, expired, or its user is
 * gone. What it found is cached after the response, and only for a caller it proved: a refused token (a forged
 * one, say) leaves the cache as it was, as every refused request does.
 */
export async function loadCaller(deps: Deps, token: ParsedToken, lookups: SessionLookups): Promise<User | null> {
  const untrusted = { value: null, version: null };
  const [sessionLookup, userLookup] = deps.redis.readsTrusted ? await Promise.all([lookups.sessions, lookups.user]) : [untrusted, untrusted];
  const loaded = await loadUserWithSessions(deps.db, token.userId);
  const expiry = loaded?.live[token.hash];
  if (!loaded || expiry === undefined || expiry <= Date.now()) return null;
  if (sessionLookup.version !== null) {
    deps.request.defer(() => deps.redis.cacheSet(keys.userSession(token.userId), loaded.live, ttl.userSession));
  }
  if (userLookup.version !== null && !userLookup.value) {
    deps.request.defer(() => deps.redis.cacheSet(keys.user(token.userId), loaded.user, ttl.user));
  }
  return loaded.user;
}
