// The analytics the reports and the dashboard answer with: every scalar counter of the key table (by its key
// name), what is derived from them, and the daily series.
import { z } from 'zod';
import { dailyMetrics, scalarCounters, type DailyMetric, type ScalarCounter } from '../redis/keys.ts';
import { Count, Day } from './fields.ts';

const counterFields = Object.fromEntries(scalarCounters.map((name) => [name, Count])) as Record<ScalarCounter, typeof Count>;

export const AnalyticsSchema = z
  .object({
    ...counterFields,
    cache_hit_rate: z.number().nullable().meta({ description: 'hits / (hits + misses), 4 decimals; null before the first lookup' }),
    active_users: Count.meta({ description: 'users with a live session' }),
    response_codes: z.record(z.string(), Count).meta({ description: 'status → responses; statuses never answered are left out', example: { '200': 120, '404': 3 } }),
    endpoint_calls: z.record(z.string(), Count).meta({ description: 'route pattern → calls; routes never called are left out', example: { 'GET /parking-lots/:id': 42 } }),
  })
  .meta({ id: 'Analytics', description: 'Every counter of the contract, live from Redis' });

export type Analytics = z.infer<typeof AnalyticsSchema>;

export const DailyPointSchema = z.object({ day: Day, value: Count });
export type DailyPoint = z.infer<typeof DailyPointSchema>;

const series = Object.fromEntries(dailyMetrics.map((metric) => [metric, z.array(DailyPointSchema)])) as Record<DailyMetric, z.ZodArray<typeof DailyPointSchema>>;

export const DailyMetricsSchema = z
  .object(series)
  .meta({ id: 'DailyMetrics', description: 'One point per UTC day, oldest first, days without data 0: history from Postgres, the days not yet compacted live from Redis.' });

export type DailyMetrics = z.infer<typeof DailyMetricsSchema>;
