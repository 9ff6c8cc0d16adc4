// Reading counters back from Redis. Each call queues its commands at once, so everything a caller starts
// in the same tick leaves in the request's one pipeline (see redis/gateway.ts).
import type { Deps } from '../../deps.ts';
import { RedisUnavailable } from '../../redis/gateway.ts';

/** Counter values (missing or non-numeric as 0) in the order of `names`; null when Redis could not be asked. */
export async function readCounters(deps: Deps, names: readonly string[]): Promise<number[] | null> {
  if (names.length === 0) return [];
  try {
    const values = await deps.gateway.call<(string | number | null)[]>((p) => p.mget(...names));
    return values.map(toCount);
  } catch (error) {
    if (!(error instanceof RedisUnavailable)) console.warn('reading counters failed', String(error));
    return null;
  }
}

export function toCount(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
