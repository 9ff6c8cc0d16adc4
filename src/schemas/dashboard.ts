// GET /admin/redis-dashboard: the JSON answer, and what its page renders.
import { z } from 'zod';
import { OccupancySchema } from './occupancy.ts';
import { AnalyticsSchema, DailyMetricsSchema } from './analytics.ts';
import { Count, Timestamp } from './fields.ts';

const nullableCount = Count.nullable();

/** What Redis itself says (INFO and DBSIZE), or why it could not be asked. */
export const RedisServerSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    version: z.string().nullable(),
    mode: z.string().nullable(),
    uptime_seconds: nullableCount,
    used_memory_bytes: nullableCount,
    used_memory_peak_bytes: nullableCount,
    maxmemory_bytes: nullableCount,
    connected_clients: nullableCount,
    ops_per_sec: z.number().nullable(),
    total_commands_processed: nullableCount,
    keyspace_hits: nullableCount,
    keyspace_misses: nullableCount,
    keys_per_db: z.record(z.string(), Count).meta({ description: '`db0` → keys, from INFO keyspace' }),
    keys: Count.meta({ description: 'keys of the database the app uses (DBSIZE)' }),
  }),
  z.object({ available: z.literal(false), error: z.string() }),
]);

export type RedisServer = z.infer<typeof RedisServerSchema>;

/** Cache keys of one namespace (the part of a key before its first `:`). */
export const CacheNamespaceSchema = z.object({
  namespace: z.string(),
  keys: Count,
  keys_with_ttl: Count,
  min_ttl_seconds: nullableCount,
  max_ttl_seconds: nullableCount,
  avg_ttl_seconds: nullableCount,
});

export type CacheNamespace = z.infer<typeof CacheNamespaceSchema>;

export const CacheInfoSchema = z.object({
  hits: Count,
  misses: Count,
  hit_rate: z.number().nullable().meta({ description: 'hits / (hits + misses), null before the first lookup' }),
  namespaces: z.array(CacheNamespaceSchema),
  scanned_keys: Count.meta({ description: 'how many keys the SCAN pages covered' }),
  truncated: z.boolean().meta({ description: 'the scan stopped at its bound before the end of the keyspace' }),
});

export type CacheInfo = z.infer<typeof CacheInfoSchema>;

export const DashboardSchema = z
  .object({
    generated_at: Timestamp,
    cache_seconds: Count.meta({ description: 'how long this snapshot may be served again' }),
    redis: RedisServerSchema,
    metrics: AnalyticsSchema.nullable().meta({ description: 'Every counter of the contract; null when Redis is unreachable' }),
    daily: DailyMetricsSchema,
    response_codes: z.array(z.object({ status: Count, count: Count })).meta({ description: 'most frequent first' }),
    top_endpoints: z.array(z.object({ endpoint: z.string(), count: Count })).meta({ description: 'route patterns by calls, the 10 most called' }),
    cache: CacheInfoSchema.nullable(),
    active_users: nullableCount,
    rate_limit_violations: nullableCount,
    lot_occupancy: OccupancySchema.optional().meta({
      description: 'With `?lot=<id>`: that lot\'s occupancy over the last 24 hours (as GET /parking-lots/:id/occupancy answers it); read afresh, not part of the cached snapshot.',
    }),
  })
  .meta({ id: 'Dashboard' });

export type Dashboard = z.infer<typeof DashboardSchema>;
