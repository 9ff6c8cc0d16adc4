// GET /reports: one SQL statement builds every section from the database (totals, per lot, per day,
// payment methods, the stored daily metrics), while the Redis counters are read in one round trip beside it.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { AdminReport } from '../../schemas/reports.ts';
import { readAnalytics } from '../analytics/counters.ts';
import { dailyHistorySql, lastDays, mergeDaily, readLiveDaily, type HistoryRow } from '../analytics/daily-metrics.ts';
import { lotTableSql } from './lot-table.ts';

export const REPORT_DAYS = 30;

type Sections = Omit<AdminReport, 'analytics'> & { daily_metrics_history: HistoryRow[] };

// `daily`: reservations count on the day they were made; revenue on the day it was paid (the release).
// Days are UTC and come from the Worker, so they match the Redis day keys read beside this statement.
function reportSql(days: readonly string[]) {
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const since = sql`(${first}::date::timestamp AT TIME ZONE 'UTC')`;
  return sql`
    WITH by_status AS (
      SELECT count(*) FILTER (WHERE status = 'reserved')::int AS reserved,
             count(*) FILTER (WHERE status = 'parked')::int AS parked,
             count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
             coalesce(sum(cost_cents) FILTER (WHERE status = 'completed'), 0)::bigint AS revenue_cents
      FROM reservations
    ), booked AS (
      SELECT (reserved_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
      FROM reservations WHERE reserved_at >= ${since} GROUP BY 1
    ), earned AS (
      SELECT (released_at AT TIME ZONE 'UTC')::date AS day, sum(cost_cents)::bigint AS cents
      FROM reservations WHERE status = 'completed' AND released_at >= ${since} GROUP BY 1
    ), methods AS (
      SELECT payment_method, count(*)::int AS n, sum(cost_cents)::bigint AS cents
      FROM reservations WHERE status = 'completed' GROUP BY payment_method
    )
    SELECT json_build_object(
      'totals', json_build_object(
        'users', (SELECT count(*)::int FROM users),
        'parking_lots', (SELECT count(*)::int FROM parking_lots),
        'spots', (SELECT count(*)::int FROM spots),
        'reservations', json_build_object('reserved', b.reserved, 'parked', b.parked, 'completed', b.completed, 'cancelled', b.cancelled),
        'revenue_cents', b.revenue_cents),
      'lots', (SELECT coalesce(json_agg(t.lot ORDER BY t.id), '[]'::json) FROM (${lotTableSql(sql`true`)}) t),
      'daily', (
        SELECT json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'reservations', coalesce(bk.n, 0), 'revenue_cents', coalesce(e.cents, 0)) ORDER BY d.day)
        FROM (SELECT g::date AS day FROM generate_series(${first}::date, ${last}::date, interval '1 day') g) d
        LEFT JOIN booked bk ON bk.day = d.day LEFT JOIN earned e ON e.day = d.day),
      'payment_methods', (
        SELECT json_agg(json_build_object('payment_method', m.method, 'count', coalesce(x.n, 0), 'revenue_cents', coalesce(x.cents, 0)) ORDER BY m.ord)
        FROM (VALUES (1, 'card'::payment_method), (2, 'cash'), (3, 'upi'), (4, NULL)) m(ord, method)
        LEFT JOIN methods x ON x.payment_method IS NOT DISTINCT FROM m.method),
      'daily_metrics_history', ${dailyHistorySql(days)}
    ) AS report
    FROM by_status b`;
}

/**
 * Round trips: one Postgres statement, and one Redis pipeline (every counter in one MGET, the daily keys
 * in another, SCARD active_users) sent while the statement runs. Without Redis the report still answers,
 * with `analytics: {available: false}` and the daily metrics Postgres holds.
 */
export async function buildAdminReport(deps: Deps, endpoints: readonly string[], now = new Date()): Promise<AdminReport> {
  const days = lastDays(REPORT_DAYS, now);
  const live = readAnalytics(deps, endpoints);
  const liveDaily = readLiveDaily(deps, days);
  const stored = deps.db.execute<{ report: Sections }>(reportSql(days));
  const [analytics, dailyValues, result] = await Promise.all([live, liveDaily, stored]);
  const { daily_metrics_history: history, ...sections } = result.rows[0]!.report;
  // Both reads share one pipeline, so either both answered or neither did.
  const redisUp = analytics !== null && dailyValues !== null;
  const daily_metrics = mergeDaily(days, history, redisUp ? dailyValues : null);
  return {
    ...sections,
    analytics: redisUp ? { available: true, ...analytics, daily_metrics } : { available: false, daily_metrics },
  };
}
