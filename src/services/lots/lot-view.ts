// A parking lot as the API shows it: its fields and its live availability, counted from its spots.
import { sql, type SQL } from 'drizzle-orm';

/** The counts of one lot's spots by state (columns available_spots, reserved_spots, occupied_spots, held_spots): an index range of its spots. */
export function spotCounts(lotId: SQL): SQL {
  return sql`(
      SELECT count(*) FILTER (WHERE s.status = 'available')::int AS available_spots,
             count(*) FILTER (WHERE s.status = 'reserved')::int AS reserved_spots,
             count(*) FILTER (WHERE s.status = 'occupied')::int AS occupied_spots,
             count(*) FILTER (WHERE s.status = 'held')::int AS held_spots
      FROM spots s WHERE s.lot_id = ${lotId}
    )`;
}

/** The API's columns of the lot `l` with its counts `c` (see spotCounts). */
export const lotColumns = sql`
    l.id, l.name, l.address, l.pin_code, l.price_per_hour_cents, l.capacity, l.latitude, l.longitude,
    c.available_spots, c.reserved_spots, c.occupied_spots, c.held_spots,
    api_time(l.created_at) AS created_at, api_time(l.updated_at) AS updated_at`;

/**
 * The lots matching `where` (a condition on `l`), in id order, at most `limit` of them, each with its
 * availability. The page of lots is taken first and only its lots' spots are counted (an index range each), so
 * a page costs its own lots, not the table.
 */
export function selectLots(where: SQL, limit?: number): SQL {
  return sql`
    SELECT ${lotColumns}
    FROM (SELECT * FROM parking_lots l WHERE ${where} ORDER BY l.id ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}) l
    CROSS JOIN LATERAL ${spotCounts(sql`l.id`)} c
    ORDER BY l.id`;
}
