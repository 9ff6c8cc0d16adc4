// The statements that read the hourly occupancy rows (lot_occupancy_hours, src/db/occupancy.ts). A row exists
// only for an hour in which the lot's spots changed; any other hour held the state of the latest row before it.
// So every hour asked for is one probe of the primary key (lot_id, hour), backwards from that hour, LIMIT 1:
// an index range of one row, whatever the history's length (test/occupancy/plans.test.ts checks the plans).
import { sql, type SQL } from 'drizzle-orm';
import { FORECAST_HOURS, FORECAST_WEEKS, OCCUPANCY_KEPT_DAYS } from '../../schemas/occupancy.ts';

/** The latest row of lot `lotId` at or before the hour `at` (a column of the outer query), as `p`. */
const rowAtOrBefore = (lotId: number, at: SQL) => sql`LATERAL (
    SELECT * FROM lot_occupancy_hours p WHERE p.lot_id = ${lotId} AND p.hour <= ${at} ORDER BY p.hour DESC LIMIT 1
  ) p`;

/**
 * Spots occupied on average over the hour `at`, from its row `p`, up to `ends` (the hour's end, or now): the
 * spot-seconds summed up to its last change, then its last state to `ends`, over the seconds elapsed. A row of an
 * earlier hour means no change: the state it ended in.
 */
const averageOf = (at: SQL, ends: SQL) => sql`CASE WHEN p.hour = ${at}
    THEN coalesce((p.occupied_seconds + p.last_occupied * extract(epoch FROM greatest(${ends}, p.last_change_at) - p.last_change_at))
                  / nullif(extract(epoch FROM greatest(${ends}, p.last_change_at) - ${at}), 0), p.last_occupied)
    ELSE p.last_occupied END`;

export type OccupancyRow = {
  hour: string | null;
  capacity: number | null;
  min_occupied: number | null;
  max_occupied: number | null;
  avg_occupied: number | null;
  lot_found: boolean;
};

/**
 * The hours of lot `lotId` whose start is in [the hour of `from`, `to`), none later than now, each from its row
 * or the latest row before it (hours before the lot's first row have none and are left out). A last row, with
 * lot_found false, says the lot does not exist.
 */
export function occupancyStatement(lotId: number, from: Date, to: Date): SQL {
  const ends = sql`least(h.hour + interval '1 hour', clock_timestamp())`;
  return sql`
    SELECT * FROM (
      SELECT api_time(h.hour) AS hour, p.capacity,
             CASE WHEN p.hour = h.hour THEN p.min_occupied ELSE p.last_occupied END AS min_occupied,
             CASE WHEN p.hour = h.hour THEN p.max_occupied ELSE p.last_occupied END AS max_occupied,
             round((${averageOf(sql`h.hour`, ends)})::numeric, 2)::float8 AS avg_occupied,
             true AS lot_found
      FROM generate_series(date_trunc('hour', ${from.toISOString()}::timestamptz, 'UTC'),
                           ${to.toISOString()}::timestamptz - interval '1 microsecond', interval '1 hour') h(hour)
      CROSS JOIN ${rowAtOrBefore(lotId, sql`h.hour`)}
      -- Hours older than the history kept are not answered: the rows they would rest on may be pruned.
      WHERE h.hour <= clock_timestamp() AND h.hour >= date_trunc('hour', clock_timestamp(), 'UTC') - ${`${OCCUPANCY_KEPT_DAYS} days`}::interval
      ORDER BY h.hour
    ) hours
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, false WHERE NOT EXISTS (SELECT 1 FROM parking_lots WHERE id = ${lotId})`;
}

export type ForecastRow = {
  in_hours: number;
  hour: string;
  /** Weeks with history for that hour. */
  weeks: number;
  /** The share of the capacity occupied on average in that hour over those weeks; null with no week. */
  share: number | null;
};

/**
 * For each of the next hours after `hour` (the one under way), the same hour of the same weekday in each of the
 * past FORECAST_WEEKS weeks: its average occupancy as a share of its capacity (a lot that grew or shrank since
 * is judged by its share, not by spots). Those hours are complete (at least a week minus 3 hours ago), so the
 * answer only changes when the hour does. FORECAST_HOURS × FORECAST_WEEKS probes of the primary key.
 */
export function forecastStatement(lotId: number, hour: Date): SQL {
  const at = sql`s.at`;
  return sql`
    SELECT k.k AS in_hours, api_time(${hour.toISOString()}::timestamptz + k.k * interval '1 hour') AS hour,
           count(share.value)::int AS weeks, avg(share.value)::float8 AS share
    FROM unnest(${`{${FORECAST_HOURS.join(',')}}`}::int[]) k(k)
    CROSS JOIN generate_series(1, ${FORECAST_WEEKS}) w(w)
    CROSS JOIN LATERAL (SELECT ${hour.toISOString()}::timestamptz + k.k * interval '1 hour' - w.w * interval '7 days' AS at) s
    LEFT JOIN ${rowAtOrBefore(lotId, at)} ON true
    CROSS JOIN LATERAL (SELECT (${averageOf(at, sql`${at} + interval '1 hour'`)}) / nullif(p.capacity, 0) AS value) share
    GROUP BY k.k ORDER BY k.k`;
}
