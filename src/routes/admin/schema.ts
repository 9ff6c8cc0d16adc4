// The JSON shape of GET /admin/redis-dashboard for the OpenAPI document (mirrors services/dashboard/types.ts).
import { z } from '@hono/zod-openapi';

const int = z.number().int();
const nullableInt = int.nullable();
const Series = z.array(z.object({ day: z.string().openapi({ format: 'date' }), value: int }));

const RedisServer = z.union([
  z.object({
    available: z.literal(true),
    version: z.string().nullable(),
    mode: z.string().nullable(),
    uptime_seconds: nullableInt,
    used_memory_bytes: nullableInt,
    used_memory_peak_bytes: nullableInt,
    maxmemory_bytes: nullableInt,
    connected_clients: nullableInt,
    ops_per_sec: z.number().nullable(),
    total_commands_processed: nullableInt,
    keyspace_hits: nullableInt,
    keyspace_misses: nullableInt,
    keys_per_db: z.record(z.string(), int),
    keys: int,
  }),
  z.object({ available: z.literal(false), error: z.string() }),
]);

const Metrics = z
  .object({
    total_api_calls: int,
    'api_calls:users:get': int,
    'api_calls:parking_lots:get': int,
    total_logins: int,
    total_logouts: int,
    total_registrations: int,
    users_created: int,
    users_deleted: int,
    parking_lots_created: int,
    parking_lots_deleted: int,
    total_reservations: int,
    reservations_cancelled: int,
    cache_hits: int,
    cache_misses: int,
    cache_hit_rate: z.number().nullable(),
    rate_limit_violations: int,
    active_users: int,
    response_codes: z.record(z.string(), int),
    endpoint_calls: z.record(z.string(), int),
  })
  .nullable()
  .openapi({ description: 'Every counter of the contract; null when Redis is unreachable' });

const Namespace = z.object({
  namespace: z.string(),
  keys: int,
  keys_with_ttl: int,
  min_ttl_seconds: nullableInt,
  max_ttl_seconds: nullableInt,
  avg_ttl_seconds: nullableInt,
});

export const DashboardSchema = z
  .object({
    generated_at: z.string().openapi({ format: 'date-time' }),
    cache_seconds: int.openapi({ description: 'how long this snapshot may be served again' }),
    redis: RedisServer,
    metrics: Metrics,
    daily: z
      .object({ logins: Series, registrations: Series, reservations: Series })
      .openapi({ description: '30 days, oldest first; history from Postgres, recent days live from Redis; days without data 0' }),
    response_codes: z.array(z.object({ status: int, count: int })),
    top_endpoints: z.array(z.object({ endpoint: z.string(), count: int })),
    cache: z
      .object({ hits: int, misses: int, hit_rate: z.number().nullable(), namespaces: z.array(Namespace), scanned_keys: int, truncated: z.boolean() })
      .nullable(),
    active_users: nullableInt,
    rate_limit_violations: nullableInt,
  })
  .openapi('Dashboard');
