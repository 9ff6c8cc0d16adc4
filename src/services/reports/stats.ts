// Reading the report aggregates that migration 0010's triggers keep in the statement that changes a reservation
// (reservation_stats_by_day, _by_lot, _by_user_lot and row_counts; what each column counts is said in
// src/db/report-stats.ts). They hold events — booked, parked, cancelled, completed — from which the states follow.
import { sql, type SQL } from 'drizzle-orm';

/** The sums of the event columns of the rows aggregated, as the columns of one row (a SELECT list). */
export const eventSums: SQL = sql`
  coalesce(sum(booked), 0)::bigint AS booked, coalesce(sum(parked), 0)::bigint AS parked,
  coalesce(sum(cancelled), 0)::bigint AS cancelled, coalesce(sum(completed), 0)::bigint AS completed,
  coalesce(sum(minutes_parked), 0)::bigint AS minutes_parked, coalesce(sum(revenue_cents), 0)::bigint AS revenue_cents`;

/**
 * The reservations by state, from the events of row `alias`: a reservation still reserved was booked and neither
 * parked nor cancelled; one parked now was parked and not completed.
 */
export function byStatusJson(alias: string): SQL {
  const s = sql.raw(alias);
  return sql`json_build_object('reserved', ${s}.booked - ${s}.parked - ${s}.cancelled, 'parked', ${s}.parked - ${s}.completed,
    'completed', ${s}.completed, 'cancelled', ${s}.cancelled)`;
}
