// The per-lot table of /reports: occupancy from the spots, completed reservations and revenue from the
// reservations, one JSON object per lot. The JSON report embeds it whole; the CSV export pages through it.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { CsvColumn } from '../csv.ts';
import type { LotReport } from '../../schemas/reports.ts';

/**
 * The rows of the lots matching `where` (a condition on `l`), in id order. Per lot, both aggregates are
 * index lookups (spots by lot, reservations by lot), so a page costs what its lots hold, not the table.
 * Revenue of a lot deleted since is no longer listed here; it stays in the totals.
 */
export function lotTableSql(where: SQL, limit?: number): SQL {
  return sql`
    SELECT json_build_object(
      'lot_id', l.id, 'name', l.name, 'capacity', l.capacity,
      'available', sp.available, 'reserved', sp.reserved, 'occupied', sp.occupied,
      'completed_reservations', sale.completed, 'revenue_cents', sale.revenue) AS lot, l.id
    FROM parking_lots l
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE s.status = 'available')::int AS available,
             count(*) FILTER (WHERE s.status = 'reserved')::int AS reserved,
             count(*) FILTER (WHERE s.status = 'occupied')::int AS occupied
      FROM spots s WHERE s.lot_id = l.id) sp
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS completed, coalesce(sum(r.cost_cents), 0)::bigint AS revenue
      FROM reservations r WHERE r.lot_id = l.id AND r.status = 'completed') sale
    WHERE ${where}
    ORDER BY l.id
    ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
}

export const lotColumns: CsvColumn<LotReport>[] = [
  { header: 'lot_id', value: (r) => r.lot_id },
  { header: 'name', value: (r) => r.name },
  { header: 'capacity', value: (r) => r.capacity },
  { header: 'available', value: (r) => r.available },
  { header: 'reserved', value: (r) => r.reserved },
  { header: 'occupied', value: (r) => r.occupied },
  { header: 'completed_reservations', value: (r) => r.completed_reservations },
  { header: 'revenue_cents', value: (r) => r.revenue_cents },
];

const PAGE = 1000;

/** Every lot, a page per Postgres round trip (keyset on the id, so a page never rescans the ones before). */
export async function* lotPages(deps: Deps): AsyncGenerator<LotReport[]> {
  let after = 0;
  for (;;) {
    const { rows } = await deps.db.execute<{ lot: LotReport; id: number }>(lotTableSql(sql`l.id > ${after}`, PAGE));
    if (rows.length > 0) yield rows.map((row) => row.lot);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}
