// The daily series of logins, registrations and reservations: history from the Postgres table
// daily_metrics (filled by the nightly compaction) joined with the live Redis counters `daily_{metric}:{day}`.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { dailyCounters, dailyMetrics, dayOf, keys, type DailyMetric } from '../../redis/keys.ts';
import type { DailyMetrics, DailyPoint } from '../../schemas/analytics.ts';

/** A row of daily_metrics. */
export interface HistoryRow {
  day: string;
  metric: string;
  value: number;
}

/** Live total per Redis counter name (`daily_logins:2025-03-01`); null when Redis could not be asked. */
export type LiveDaily = Map<string, number> | null;

/** The last `count` UTC days, today included, oldest first. */
export function lastDays(count: number, now = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => dayOf(new Date(today - (count - 1 - i) * 86_400_000)));
}

/** A scalar subquery: the daily_metrics rows of [first, last] as a JSON array of {day, metric, value}. */
export function dailyHistorySql(days: readonly string[]): SQL {
  return sql`(SELECT coalesce(json_agg(json_build_object('day', to_char(m.day, 'YYYY-MM-DD'), 'metric', m.metric, 'value', m.value)), '[]'::json)
    FROM daily_metrics m WHERE m.day BETWEEN ${days[0]}::date AND ${days[days.length - 1]}::date)`;
}

/**
 * What Redis still counts for every day of the window, queued now so it shares the caller's round trip.
 * Every day, not only today: between midnight and the compaction (or after a failed run) yesterday still
 * lives in Redis. A day's live total is its counter plus the `compacted:` marker the compaction leaves (the
 * part already moved), so an increment that landed after the compaction is not lost.
 */
export function readLiveDaily(deps: Deps, days: readonly string[]): Promise<LiveDaily> {
  const names = dailyMetrics.flatMap((metric) => days.map((day) => dailyCounters[metric](day)));
  return deps.redis.readCounters([...names, ...names.map(keys.compactedMarker)]).then(
    (values) => values && new Map(names.map((name, i) => [name, values[i]! + values[names.length + i]!])),
  );
}

/**
 * Joins history and live totals. The compaction writes absolute totals and Postgres only ever takes a
 * larger one, so where both know a day the larger is the truth; where one is missing the other counts.
 */
export function mergeDaily(days: readonly string[], history: readonly HistoryRow[], live: LiveDaily): DailyMetrics {
  const stored = new Map(history.map((row) => [`${row.metric}:${row.day}`, Number(row.value)]));
  const series = (metric: DailyMetric): DailyPoint[] =>
    days.map((day) => ({ day, value: Math.max(stored.get(`${metric}:${day}`) ?? 0, live?.get(dailyCounters[metric](day)) ?? 0) }));
  return Object.fromEntries(dailyMetrics.map((metric) => [metric, series(metric)])) as DailyMetrics;
}

/** The series on their own (the dashboard): one Postgres and one Redis round trip, side by side. */
export async function readDailyMetrics(deps: Deps, count = 30, now = new Date()): Promise<DailyMetrics> {
  const days = lastDays(count, now);
  const live = readLiveDaily(deps, days);
  const history = deps.db.execute<{ history: HistoryRow[] }>(sql`SELECT ${dailyHistorySql(days)} AS history`);
  const [liveValues, result] = await Promise.all([live, history]);
  return mergeDaily(days, result.rows[0]?.history ?? [], liveValues);
}
