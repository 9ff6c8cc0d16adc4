// The admin dashboard's data: the JSON answer of GET /admin/redis-dashboard and what its page renders.
import type { LiveAnalytics } from '../analytics/counters.ts';
import type { DailyMetrics } from '../analytics/daily-metrics.ts';

/** What Redis itself says (INFO and DBSIZE), or why it could not be asked. */
export type RedisServerInfo =
  | {
      available: true;
      version: string | null;
      mode: string | null;
      uptime_seconds: number | null;
      used_memory_bytes: number | null;
      used_memory_peak_bytes: number | null;
      maxmemory_bytes: number | null;
      connected_clients: number | null;
      ops_per_sec: number | null;
      total_commands_processed: number | null;
      keyspace_hits: number | null;
      keyspace_misses: number | null;
      /** `db0` → number of keys, from INFO keyspace. */
      keys_per_db: Record<string, number>;
      /** Keys of the database the app uses (DBSIZE). */
      keys: number;
    }
  | { available: false; error: string };

/** Cache keys of one namespace (the part of a key before its first `:`), found with SCAN. */
export interface CacheNamespace {
  namespace: string;
  keys: number;
  /** Keys with a TTL, and their smallest, largest and mean remaining TTL in seconds (null: none has one). */
  keys_with_ttl: number;
  min_ttl_seconds: number | null;
  max_ttl_seconds: number | null;
  avg_ttl_seconds: number | null;
}

export interface CacheInfo {
  hits: number;
  misses: number;
  /** hits / (hits + misses), null before the first lookup. */
  hit_rate: number | null;
  namespaces: CacheNamespace[];
  /** How many keys the SCAN pages covered; `truncated` when it stopped (page or time bound) before the end. */
  scanned_keys: number;
  truncated: boolean;
}

export interface DashboardData {
  generated_at: string;
  /** Seconds this snapshot may be served from the cache. */
  cache_seconds: number;
  redis: RedisServerInfo;
  /** Every counter of the contract; null when Redis is unreachable. */
  metrics: LiveAnalytics | null;
  /** 30 days, oldest first, one series per metric: history from Postgres, recent days from Redis. */
  daily: DailyMetrics;
  /** Status code → responses, most frequent first. */
  response_codes: { status: number; count: number }[];
  /** Route patterns by calls, most called first (top 10). */
  top_endpoints: { endpoint: string; count: number }[];
  cache: CacheInfo | null;
  active_users: number | null;
  rate_limit_violations: number | null;
}
