// The API's Redis counters of the contract, read back in one round trip for /reports and the dashboard.
import type { Deps } from '../../deps.ts';
import { errorStatus } from '../../errors.ts';
import { counters, keys } from '../../redis/keys.ts';
import { knownEndpoints } from '../../routes/endpoints.ts';
import { toCount } from '../../redis/store.ts';

const scalars = {
  total_api_calls: counters.totalApiCalls,
  'api_calls:users:get': counters.usersGet,
  'api_calls:parking_lots:get': counters.parkingLotsGet,
  total_logins: counters.totalLogins,
  total_logouts: counters.totalLogouts,
  total_registrations: counters.totalRegistrations,
  users_created: counters.usersCreated,
  users_deleted: counters.usersDeleted,
  parking_lots_created: counters.parkingLotsCreated,
  parking_lots_deleted: counters.parkingLotsDeleted,
  total_reservations: counters.totalReservations,
  reservations_cancelled: counters.reservationsCancelled,
  cache_hits: counters.cacheHits,
  cache_misses: counters.cacheMisses,
  rate_limit_violations: counters.rateLimitViolations,
} as const;

type ScalarName = keyof typeof scalars;

export type LiveAnalytics = Record<ScalarName, number> & {
  /** hits / (hits + misses), 4 decimals; null before the first cache lookup. */
  cache_hit_rate: number | null;
  active_users: number;
  /** Status code → responses; codes never answered are left out. */
  response_codes: Record<string, number>;
  /** Route pattern (`GET /parking-lots/:id`) → calls; routes never called are left out. */
  endpoint_calls: Record<string, number>;
};

/** Every status the API answers: the error table's, the successes' and the forms' redirect. */
export function answeredStatuses(): number[] {
  return [...new Set<number>([200, 201, 204, 303, ...Object.values(errorStatus)])].sort((a, b) => a - b);
}

function nonZero(names: readonly string[], values: readonly number[]): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]!] as const).filter(([, n]) => n > 0));
}

/**
 * All counters: one MGET (the contract's counters, `response_codes:{code}` for every status the API can
 * answer, `endpoint_calls:{pattern}` for every route; no SCAN) and one SCARD, queued together. Null when
 * Redis cannot be asked.
 */
export async function readAnalytics(deps: Deps): Promise<LiveAnalytics | null> {
  const scalarNames = Object.keys(scalars) as ScalarName[];
  const statuses = answeredStatuses().map(String);
  const endpoints = [...knownEndpoints()];
  const names = [...scalarNames.map((n) => scalars[n]), ...statuses.map((s) => counters.responseCode(Number(s))), ...endpoints.map(counters.endpoint)];
  const [values, activeUsers] = await Promise.all([deps.redis.readCounters(names), deps.redis.read<number>((p) => p.scard(keys.activeUsers))]);
  if (values === null || activeUsers === null) return null;

  const scalarValues = Object.fromEntries(scalarNames.map((name, i) => [name, values[i]!])) as Record<ScalarName, number>;
  const codeValues = values.slice(scalarNames.length, scalarNames.length + statuses.length);
  const endpointValues = values.slice(scalarNames.length + statuses.length);
  const lookups = scalarValues.cache_hits + scalarValues.cache_misses;
  return {
    ...scalarValues,
    cache_hit_rate: lookups === 0 ? null : Math.round((scalarValues.cache_hits / lookups) * 10_000) / 10_000,
    active_users: toCount(activeUsers),
    response_codes: nonZero(statuses, codeValues),
    endpoint_calls: nonZero(endpoints, endpointValues),
  };
}
