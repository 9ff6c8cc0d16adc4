// A parking lot as the API shows it: its fields and its live availability, counted from its spots.
import { sql, type SQL } from 'drizzle-orm';

/** SELECT … of a Lot for `parking_lots l` joined with its spots `s`, grouped by l.id. */
export const lotSelectList: SQL = sql.raw(`
  l.id, l.name, l.address, l.pin_code, l.price_per_hour_cents, l.capacity, l.latitude, l.longitude,
  count(s.id) FILTER (WHERE s.status = 'available')::int AS available_spots,
  count(s.id) FILTER (WHERE s.status = 'reserved')::int AS reserved_spots,
  count(s.id) FILTER (WHERE s.status = 'occupied')::int AS occupied_spots,
  api_time(l.created_at) AS created_at, api_time(l.updated_at) AS updated_at`);

/** The lots matching `where` (a condition on `l`), with availability, in id order. */
export function selectLots(where: SQL): SQL {
  return sql`SELECT ${lotSelectList} FROM parking_lots l LEFT JOIN spots s ON s.lot_id = l.id WHERE ${where} GROUP BY l.id ORDER BY l.id`;
}
