// The per-lot table of /reports: occupancy from the lot's spots, completed reservations and revenue from its
// row of reservation_stats_by_lot (migration 0010), one JSON object per lot, in id order. The JSON report
// carries one page of it (keyset on the id: `?limit=&cursor=`); the CSV export streams every page.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { CsvColumn } from '../csv.ts';
import type { LotReport } from '../../schemas/reports.ts';

/** The cursor list of the per-lot table (../pagination.ts): its key is the last lot id of a page. */
export const LOTS_LIST = 'report-lots';

/** A page of the table: the lots after id `after` (0: from the first), `limit` of them. */
export interface LotPageRequest {
  limit: number;
  after: number;
}

/**
 * Rows of the lots after id `after`, in id order, at most `limit`. Per lot, both parts are index lookups (its
 * spots by lot, its stats row by key), so a page costs its own lots and their spots, never the reservations.
 * A lot deleted since is not listed; its revenue stays in the totals.
 */
export function lotTableSql(after: number, limit: number): SQL {
  return sql`
    SELECT json_build_object(
      'lot_id', l.id, 'name', l.name, 'capacity', l.capacity,
      'available', sp.available, 'reserved', sp.reserved, 'occupied', sp.occupied, 'held', sp.held,
      'completed_reservations', coalesce(st.completed, 0), 'revenue_cents', coalesce(st.revenue_cents, 0)) AS lot, l.id
    FROM parking_lots l
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE s.status = 'available')::int AS available,
             count(*) FILTER (WHERE s.status = 'reserved')::int AS reserved,
             count(*) FILTER (WHERE s.status = 'occupied')::int AS occupied,
             count(*) FILTER (WHERE s.status = 'held')::int AS held
      FROM spots s WHERE s.lot_id = l.id) sp
    LEFT JOIN reservation_stats_by_lot st ON st.lot_id = l.id
    WHERE l.id > ${after}
    ORDER BY l.id
    LIMIT ${limit}`;
}

export const lotColumns: CsvColumn<LotReport>[] = [
  { header: 'lot_id', value: (r) => r.lot_id },
  { header: 'name', value: (r) => r.name },
  { header: 'capacity', value: (r) => r.capacity },
  { header: 'available', value: (r) => r.available },
  { header: 'reserved', value: (r) => r.reserved },
  { header: 'occupied', value: (r) => r.occupied },
  { header: 'held', value: (r) => r.held },
  { header: 'completed_reservations', value: (r) => r.completed_reservations },
  { header: 'revenue_cents', value: (r) => r.revenue_cents },
];

/**
 * Lots per CSV page, one Postgres round trip (one Workers subrequest) each. A page is about 100 KB of JSON
 * from Postgres and costs the spots of its lots (20 000 at 40 spots a lot) and 0.6 ms of the Worker's CPU, so
 * memory stays bounded; at this size the paid plan's 1 000 subrequests cover about 498 000 lots, the free
 * plan's 50 about 23 000, though its 10 ms of CPU stops near 5 000 (README, "Reports at scale").
 */
export const LOT_CSV_PAGE = 500;

/** Every lot, a page per Postgres round trip (keyset on the id, so a page never rescans the ones before). */
export async function* lotPages(deps: Deps, pageSize = LOT_CSV_PAGE): AsyncGenerator<LotReport[]> {
  let after = 0;
  for (;;) {
    const { rows } = await deps.db.execute<{ lot: LotReport; id: number }>(lotTableSql(after, pageSize));
    if (rows.length > 0) yield rows.map((row) => row.lot);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}
