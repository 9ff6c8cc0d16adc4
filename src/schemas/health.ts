// GET /health/redis and GET /health: status reports for uptime monitors, not the API's error envelope.
import { z } from 'zod';
import { Count, Timestamp } from './fields.ts';

const checkedAt = Timestamp.meta({ description: 'When the backing service was asked (polls within a second share one answer)' });

export const RedisOkSchema = z
  .object({
    status: z.literal('ok'),
    latency_ms: z.number(),
    checked_at: checkedAt,
    redis: z.object({
      version: z.string().nullable(),
      uptime_seconds: z.number().nullable(),
      connected_clients: z.number().nullable(),
      used_memory_bytes: z.number().nullable(),
      keys: Count.meta({ description: "Keys in the database (INFO's keyspace section)" }),
    }),
  })
  .meta({ id: 'RedisHealth' });

export const PartUnavailableSchema = z.object({ status: z.literal('unavailable'), error: z.string(), checked_at: checkedAt }).meta({ id: 'PartUnavailable' });

export const RedisHealthSchema = z.discriminatedUnion('status', [RedisOkSchema, PartUnavailableSchema]);
export type RedisHealth = z.infer<typeof RedisHealthSchema>;

export const PostgresHealthSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), latency_ms: z.number(), checked_at: checkedAt }),
  PartUnavailableSchema,
]);
export type PostgresHealth = z.infer<typeof PostgresHealthSchema>;

export const MisconfiguredSchema = z
  .object({
    status: z.literal('misconfigured'),
    error: z.string().meta({ example: 'RATE_LIMIT_PER_HOUR must be an integer from 1 to 1000000' }),
    problems: z.array(z.string()).meta({ description: 'Each bad setting, named by its binding, with the rule it breaks (never its value)' }),
  })
  .meta({ id: 'Misconfigured' });

export type Misconfigured = z.infer<typeof MisconfiguredSchema>;

const Part = z.object({
  status: z.enum(['ok', 'unavailable']),
  latency_ms: z.number().optional(),
  error: z.string().optional(),
  checked_at: checkedAt,
});

export const HealthSchema = z.object({ status: z.enum(['ok', 'degraded', 'down']), redis: Part, postgres: Part }).meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;
