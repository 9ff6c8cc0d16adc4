// The API's Redis counters of the contract, read back in one round trip for /reports and the dashboard. Which
// counters there are comes from the key table (redis/keys.ts); which endpoints, from the caller (the app
// knows its routes).
import type { Deps } from '../../deps.ts';
import { errorStatus } from '../../errors.ts';
import { counters, keys, scalarCounters, type ScalarCounter } from '../../redis/keys.ts';
import type { Analytics } from '../../schemas/analytics.ts';

/** Every status the API answers: the error table's, the successes' and the forms' redirect. */
export function answeredStatuses(): number[] {
  return [...new Set<number>([200, 201, 204, 303, ...Object.values(errorStatus)])].sort((a, b) => a - b);
}

function nonZero(names: readonly string[], values: readonly number[]): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]!] as const).filter(([, n]) => n > 0));
}

/**
 * All counters: one MGET (the contract's counters, `response_codes:{code}` for every status the API can
 * answer, `endpoint_calls:{pattern}` for every route pattern given; no SCAN) and one SCARD, queued together.
 * Null when Redis cannot be asked.
 */
export async function readAnalytics(deps: Deps, endpoints: readonly string[]): Promise<Analytics | null> {
  const statuses = answeredStatuses().map(String);
  const names = [...scalarCounters, ...statuses.map((s) => counters.responseCode(Number(s))), ...endpoints.map(counters.endpoint)];
  const [values, activeUsers] = await Promise.all([deps.redis.readCounters(names), deps.redis.read<number>((p) => p.scard(keys.activeUsers))]);
  if (values === null || activeUsers === null) return null;

  const scalars = Object.fromEntries(scalarCounters.map((name, i) => [name, values[i]!])) as Record<ScalarCounter, number>;
  const codeValues = values.slice(scalarCounters.length, scalarCounters.length + statuses.length);
  const endpointValues = values.slice(scalarCounters.length + statuses.length);
  const lookups = scalars.cache_hits + scalars.cache_misses;
  return {
    ...scalars,
    cache_hit_rate: lookups === 0 ? null : Math.round((scalars.cache_hits / lookups) * 10_000) / 10_000,
    active_users: Number(activeUsers),
    response_codes: nonZero(statuses, codeValues),
    endpoint_calls: nonZero(endpoints, endpointValues),
  };
}
