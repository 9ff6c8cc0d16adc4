// GET /user-reports: the caller's own reservations summed up from their rows of reservation_stats_by_user_lot
// (migration 0010: one row per lot they ever booked, one index range), with one page of their lots and one of
// their history, in one SQL statement; and the whole history as CSV. Nothing here can reach another user's
// rows: every statement filters on the caller's id. What bounds the answer: the pages asked for (index ranges
// of the stats' primary key and of reservations_user_id_id_idx), never the number of their reservations or
// lots; the totals still read the caller's stats rows, one per lot used (bench:scale: 1 261 for the fleet user).
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { CsvColumn } from '../csv.ts';
import type { Reservation } from '../../schemas/reservations.ts';
import type { UserReport } from '../../schemas/reports.ts';
import { MAX_DB_ID } from '../../schemas/fields.ts';
import { toPage } from '../pagination.ts';
import { byStatusJson, eventSums } from './stats.ts';

/** The cursor list of the history pages: its key is the last reservation id of a page. */
export const RECENT_LIST = 'user-report-recent';
/** Reservations in `recent` when no `limit` is given: the report's first page, as it was before it paged. */
export const RECENT = 20;
/** The cursor list of the per-lot pages: its key is the last lot id of a page (MAX_DB_ID: the deleted lots' row). */
export const PER_LOT_LIST = 'user-report-lots';
/** Lots in a page of `per_lot`: a fleet account may have used every lot there is. */
export const PER_LOT_PAGE = 100;

/** A page of the history: the reservations with an id below `before` (none: from the newest), `limit` of them. */
export interface HistoryPageRequest {
  limit: number;
  before: number | null;
}

// The order of reservations_user_id_id_idx (id DESC, nulls first, migration 0011): with another null order the
// order is not the index's, and PostgreSQL sorts all of the user's reservations for every page, or walks the
// primary key backwards through everyone's until it has found a page of theirs.
const historySql = (userId: number, page: HistoryPageRequest) => sql`
  SELECT r FROM reservations r
  WHERE r.user_id = ${userId} AND ${page.before === null ? sql`true` : sql`r.id < ${page.before}`}
  ORDER BY r.id DESC LIMIT ${page.limit}`;

type PerLot = UserReport['per_lot'][number];
type Sections = Omit<UserReport, 'recent_next_cursor' | 'per_lot_next_cursor' | 'per_lot'> & { per_lot: (PerLot & { key: number })[] };

// A page of the caller's lots: the stats rows after `after` in the primary key's order (an index range), and
// the row of lots deleted since (their reservations' lot_id is null: lot 0 in the stats) last, under the key
// MAX_DB_ID, which no lot has.
const perLotSql = (userId: number, after: number) => sql`
  SELECT * FROM (
    (SELECT s.lot_id AS key, l.id AS lot_id, l.name, s.booked, s.minutes_parked, s.revenue_cents
     FROM reservation_stats_by_user_lot s LEFT JOIN parking_lots l ON l.id = s.lot_id
     WHERE s.user_id = ${userId} AND s.lot_id > ${Math.max(after, 0)} AND s.booked > 0
     ORDER BY s.lot_id LIMIT ${PER_LOT_PAGE + 1})
    UNION ALL
    SELECT ${MAX_DB_ID}::int, NULL, NULL, s.booked, s.minutes_parked, s.revenue_cents
    FROM reservation_stats_by_user_lot s
    WHERE s.user_id = ${userId} AND s.lot_id = 0 AND s.booked > 0 AND ${after}::int < ${MAX_DB_ID}::int
  ) p ORDER BY key LIMIT ${PER_LOT_PAGE + 1}`;

export async function buildUserReport(deps: Deps, userId: number, page: HistoryPageRequest, lotsAfter = 0): Promise<UserReport> {
  const { rows } = await deps.db.execute<{ report: Sections }>(sql`
    WITH mine AS (
      SELECT s.booked, s.parked, s.cancelled, s.completed, s.minutes_parked, s.revenue_cents
      FROM reservation_stats_by_user_lot s WHERE s.user_id = ${userId} AND s.booked > 0
    ), total AS (SELECT ${eventSums} FROM mine)
    SELECT json_build_object(
      'reservations', ${byStatusJson('t')},
      'minutes_parked', t.minutes_parked,
      'spent_cents', t.revenue_cents,
      'per_lot', (
        SELECT coalesce(json_agg(json_build_object('key', p.key, 'lot_id', p.lot_id, 'name', p.name, 'reservations', p.booked,
                                                   'minutes_parked', p.minutes_parked, 'spent_cents', p.revenue_cents) ORDER BY p.key), '[]'::json)
        FROM (${perLotSql(userId, lotsAfter)}) p),
      'recent', (SELECT coalesce(json_agg(api_reservation(x.r) ORDER BY (x.r).id DESC), '[]'::json) FROM (${historySql(userId, { ...page, limit: page.limit + 1 })}) x)
    ) AS report
    FROM total t`);
  const { recent, per_lot, ...sections } = rows[0]!.report;
  const history = toPage(RECENT_LIST, recent, page, (r: Reservation) => [r.id]);
  const lots = toPage(PER_LOT_LIST, per_lot, { limit: PER_LOT_PAGE }, (row) => [row.key]);
  return {
    ...sections,
    per_lot: lots.data.map(({ key: _, ...row }) => row),
    per_lot_next_cursor: lots.next_cursor,
    recent: history.data,
    recent_next_cursor: history.next_cursor,
  };
}

const fields = ['id', 'user_id', 'lot_id', 'spot_number', 'vehicle_plate', 'status', 'reserved_at', 'parked_at', 'released_at', 'price_per_hour_cents', 'cost_cents', 'payment_method'] as const;

export const reservationColumns: CsvColumn<Reservation>[] = fields.map((field) => ({ header: field, value: (r) => r[field] }));

/**
 * Reservations per CSV page, one Postgres round trip (one Workers subrequest) each: about 1.6 MB of JSON from
 * Postgres (a reservation is about 330 bytes), far under Neon's 10 MiB answer, one page in memory at a time,
 * 9 ms of the Worker's CPU. At this size the paid plan's 1 000 subrequests cover about 5 million reservations;
 * on the free plan its 10 ms of CPU ends the download near 5 000, long before its 50 subrequests would
 * (README, "Reports at scale").
 */
export const HISTORY_CSV_PAGE = 5000;

/** All of the user's reservations, newest first, a page per round trip (keyset on the id). */
export async function* historyPages(deps: Deps, userId: number, pageSize = HISTORY_CSV_PAGE): AsyncGenerator<Reservation[]> {
  let before: number | null = null;
  for (;;) {
    const { rows }: { rows: { reservation: Reservation }[] } = await deps.db.execute<{ reservation: Reservation }>(sql`
      SELECT api_reservation(x.r) AS reservation FROM (${historySql(userId, { limit: pageSize, before })}) x ORDER BY (x.r).id DESC`);
    if (rows.length > 0) yield rows.map((row) => row.reservation);
    if (rows.length < pageSize) return;
    before = rows[rows.length - 1]!.reservation.id;
  }
}
