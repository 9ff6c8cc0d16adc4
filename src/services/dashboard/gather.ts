// Gathers the dashboard: Redis INFO and DBSIZE, every counter, the daily counters and the first SCAN page in
// ONE Redis pipeline (all queued in the same tick), the daily history from Postgres meanwhile; then the
// namespace scan's further pages (namespaces.ts), a bounded number of round trips.
import type { Deps } from '../../deps.ts';
import { raw } from '../../redis/gateway.ts';
import { infoNumber, keysPerDb, parseInfo } from '../../redis/info.ts';
import { keys, ttl } from '../../redis/keys.ts';
import type { Analytics } from '../../schemas/analytics.ts';
import type { Dashboard, RedisServer } from '../../schemas/dashboard.ts';
import type { User } from '../../schemas/users.ts';
import { AppError } from '../../errors.ts';
import { cached } from '../cache.ts';
import { readAnalytics } from '../analytics/counters.ts';
import { readDailyMetrics } from '../analytics/daily-metrics.ts';
import { scanNamespaces } from './namespaces.ts';

const TOP_ENDPOINTS = 10;

async function serverInfo(deps: Deps): Promise<RedisServer> {
  const [info, size] = await Promise.all([deps.redis.attempt<string>((p) => raw(p, ['INFO'])), deps.redis.read<number>((p) => p.dbsize())]);
  if ('error' in info) return { available: false, error: info.error };
  const fields = parseInfo(info.value);
  return {
    available: true,
    version: fields.get('redis_version') ?? null,
    mode: fields.get('redis_mode') ?? null,
    uptime_seconds: infoNumber(fields, 'uptime_in_seconds'),
    used_memory_bytes: infoNumber(fields, 'used_memory'),
    used_memory_peak_bytes: infoNumber(fields, 'used_memory_peak'),
    maxmemory_bytes: infoNumber(fields, 'maxmemory'),
    connected_clients: infoNumber(fields, 'connected_clients'),
    ops_per_sec: infoNumber(fields, 'instantaneous_ops_per_sec'),
    total_commands_processed: infoNumber(fields, 'total_commands_processed'),
    keyspace_hits: infoNumber(fields, 'keyspace_hits'),
    keyspace_misses: infoNumber(fields, 'keyspace_misses'),
    keys_per_db: keysPerDb(fields),
    keys: Number(size ?? 0),
  };
}

function descending<T extends string | number>(counts: Record<string, number>, key: (name: string) => T) {
  return Object.entries(counts)
    .map(([name, count]) => ({ name: key(name), count }))
    .sort((a, b) => b.count - a.count || String(a.name).localeCompare(String(b.name)));
}

function cacheInfo(metrics: Analytics | null, scan: Awaited<ReturnType<typeof scanNamespaces>> | null): Dashboard['cache'] {
  if (!metrics || !scan) return null;
  return {
    hits: metrics.cache_hits,
    misses: metrics.cache_misses,
    hit_rate: metrics.cache_hit_rate,
    namespaces: scan.namespaces,
    scanned_keys: scan.scanned,
    truncated: scan.truncated,
  };
}

export async function gatherDashboard(deps: Deps, endpoints: readonly string[], now = new Date()): Promise<Dashboard> {
  const scan = scanNamespaces(deps).catch(() => null);
  const [redis, metrics, daily, namespaces] = await Promise.all([serverInfo(deps), readAnalytics(deps, endpoints), readDailyMetrics(deps, 30, now), scan]);
  return {
    generated_at: now.toISOString(),
    cache_seconds: ttl.dashboard,
    redis,
    metrics,
    daily,
    response_codes: metrics ? descending(metrics.response_codes, Number).map(({ name, count }) => ({ status: name, count })) : [],
    top_endpoints: metrics ? descending(metrics.endpoint_calls, String).slice(0, TOP_ENDPOINTS).map(({ name, count }) => ({ endpoint: name, count })) : [],
    cache: cacheInfo(metrics, namespaces),
    active_users: metrics?.active_users ?? null,
    rate_limit_violations: metrics?.rate_limit_violations ?? null,
  };
}

/** The dashboard for an admin: the snapshot of the last few seconds, or a new one. */
export function dashboardFor(deps: Deps, actor: User, endpoints: readonly string[]): Promise<Dashboard> {
  if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins may see the dashboard.');
  return cached(deps, keys.dashboard, ttl.dashboard, () => gatherDashboard(deps, endpoints));
}
