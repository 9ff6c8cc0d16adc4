// GET /reports: one SQL statement builds every section, from the aggregates the reservation triggers keep
// (./stats.ts; migration 0010) and one page of the per-lot table, never from the reservations themselves; the
// Redis counters are read in one round trip beside it. What it reads, whatever the size of the data:
// - totals: the one row of row_counts, and the sum of reservation_stats_by_day over every day with activity
//   (up to 16 rows a day, one per slot that was written: 1 440 rows for 90 busy days, 5 840 more a year);
// - daily: the rows of 30 days, by its key;
// - payment methods: the same sum as the totals (the day rows split completed stays by method);
// - lots: one page of lots by key, each with its spots (index range) and its row of reservation_stats_by_lot.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { AdminReport, LotReport } from '../../schemas/reports.ts';
import { readAnalytics } from '../analytics/counters.ts';
import { dailyHistorySql, lastDays, mergeDaily, readLiveDaily, type HistoryRow } from '../analytics/daily-metrics.ts';
import { toPage } from '../pagination.ts';
import { LOTS_LIST, lotTableSql, type LotPageRequest } from './lot-table.ts';
import { byStatusJson, eventSums } from './stats.ts';

export const REPORT_DAYS = 30;

type Sections = Omit<AdminReport, 'analytics' | 'lots_next_cursor'> & { daily_metrics_history: HistoryRow[] };

const methodRow = (method: string | null, count: string, cents: string) =>
  sql`json_build_object('payment_method', ${method}::text, 'count', ${sql.raw(count)}, 'revenue_cents', ${sql.raw(cents)})`;

// `daily`: reservations count on the day they were made; revenue on the day it was paid (the release).
// Days are UTC and come from the Worker, so they match the Redis day keys read beside this statement.
function reportSql(days: readonly string[], page: LotPageRequest) {
  return sql`
    WITH t AS (
      SELECT ${eventSums},
             coalesce(sum(completed_card), 0)::bigint AS card, coalesce(sum(completed_cash), 0)::bigint AS cash,
             coalesce(sum(completed_upi), 0)::bigint AS upi, coalesce(sum(revenue_card_cents), 0)::bigint AS card_cents,
             coalesce(sum(revenue_cash_cents), 0)::bigint AS cash_cents, coalesce(sum(revenue_upi_cents), 0)::bigint AS upi_cents
      FROM reservation_stats_by_day
    )
    SELECT json_build_object(
      'totals', json_build_object(
        'users', c.users, 'parking_lots', c.parking_lots, 'spots', c.spots,
        'reservations', ${byStatusJson('t')},
        'revenue_cents', t.revenue_cents),
      'lots', (SELECT coalesce(json_agg(p.lot ORDER BY p.id), '[]'::json) FROM (${lotTableSql(page.after, page.limit + 1)}) p),
      'daily', (
        SELECT json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'reservations', coalesce(s.booked, 0), 'revenue_cents', coalesce(s.revenue_cents, 0)) ORDER BY d.day)
        FROM (SELECT g::date AS day FROM generate_series(${days[0]}::date, ${days[days.length - 1]}::date, interval '1 day') g) d
        LEFT JOIN (SELECT day, sum(booked)::bigint AS booked, sum(revenue_cents)::bigint AS revenue_cents FROM reservation_stats_by_day
                   WHERE day BETWEEN ${days[0]}::date AND ${days[days.length - 1]}::date GROUP BY day) s ON s.day = d.day),
      'payment_methods', json_build_array(
        ${methodRow('card', 't.card', 't.card_cents')}, ${methodRow('cash', 't.cash', 't.cash_cents')}, ${methodRow('upi', 't.upi', 't.upi_cents')},
        ${methodRow(null, 't.completed - t.card - t.cash - t.upi', 't.revenue_cents - t.card_cents - t.cash_cents - t.upi_cents')}),
      'daily_metrics_history', ${dailyHistorySql(days)}
    ) AS report
    FROM t CROSS JOIN row_counts c`;
}

/**
 * Round trips: one Postgres statement, and one Redis pipeline (every counter in one MGET, the daily keys
 * in another, SCARD active_users) sent while the statement runs. Without Redis the report still answers,
 * with `analytics: {available: false}` and the daily metrics Postgres holds.
 */
export async function buildAdminReport(deps: Deps, endpoints: readonly string[], page: LotPageRequest, now = new Date()): Promise<AdminReport> {
  const days = lastDays(REPORT_DAYS, now);
  const live = readAnalytics(deps, endpoints);
  const liveDaily = readLiveDaily(deps, days);
  const stored = deps.db.execute<{ report: Sections }>(reportSql(days, page));
  const [analytics, dailyValues, result] = await Promise.all([live, liveDaily, stored]);
  const { daily_metrics_history: history, totals, lots, daily, payment_methods } = result.rows[0]!.report;
  const lotPage = toPage(LOTS_LIST, lots, page, (lot: LotReport) => [lot.lot_id]);
  // Both reads share one pipeline, so either both answered or neither did.
  const redisUp = analytics !== null && dailyValues !== null;
  const daily_metrics = mergeDaily(days, history, redisUp ? dailyValues : null);
  return {
    totals,
    lots: lotPage.data,
    lots_next_cursor: lotPage.next_cursor,
    daily,
    payment_methods,
    analytics: redisUp ? { available: true, ...analytics, daily_metrics } : { available: false, daily_metrics },
  };
}
