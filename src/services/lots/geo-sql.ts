// The search by distance in PostgreSQL, for when Redis cannot answer it: the same lots in the same order as
// Redis gives (see geo-point.ts and the SQL functions of the migration geo_search). The index
// parking_lots_position_idx on (latitude, longitude) finds the candidates: the latitude band of the circle,
// then one longitude range (two across the antimeridian, all of them when the circle holds a pole), and the
// exact distance decides. Only the lots inside the circle are counted for `available`, only the page's for
// `distance`.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { Lot, NearbyLot } from '../../schemas/lots.ts';
import type { GeoSearch } from './geo-query.ts';
import { lotColumns, spotCounts } from './lot-view.ts';

function inside(search: GeoSearch): SQL {
  const { centre, box, radiusM } = search;
  const longitudes = sql.join(
    box.lngRanges.map(([lo, hi]) => sql`l.longitude BETWEEN ${lo}::float8 AND ${hi}::float8`),
    sql` OR `,
  );
  return sql`
    SELECT l.id, round(d.distance * 10000) AS distance_e4
    FROM parking_lots l
    CROSS JOIN LATERAL (
      SELECT redis_geo_distance(${centre.lng}::float8, ${centre.lat}::float8, geo_lng(l.latitude, l.longitude), geo_lat(l.latitude)) AS distance
    ) d
    WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
      AND l.latitude BETWEEN ${box.latMin}::float8 AND ${box.latMax}::float8
      AND (${longitudes})
      AND d.distance <= ${radiusM}::float8`;
}

/** The condition that a row's sort key (a row constructor) comes after the cursor's. */
function afterCursor(key: SQL, search: GeoSearch): SQL {
  if (!search.after) return sql`true`;
  const [first, ...rest] = search.after as number[];
  const tail = rest.slice(0, -1).map((part) => sql`, ${part}::float8`);
  return sql`(${key}) > (${first}::float8${sql.join(tail)}, ${rest[rest.length - 1]}::int)`;
}

/** The page's rows (limit + 1) in the search's order, each with its distance in tenths of a millimetre. */
export function searchStatement(search: GeoSearch): SQL {
  if (search.sort === 'available') {
    const key = sql`-page.available_spots, page.distance_e4, page.id`;
    return sql`
      WITH inside AS (${inside(search)}),
      counted AS (SELECT inside.*, c.* FROM inside CROSS JOIN LATERAL ${spotCounts(sql`inside.id`)} c),
      page AS (
        SELECT * FROM counted page WHERE ${afterCursor(key, search)} ORDER BY ${key} LIMIT ${search.want}
      )
      SELECT ${lotColumns}, page.distance_e4
      FROM page JOIN parking_lots l ON l.id = page.id CROSS JOIN LATERAL (SELECT page.available_spots, page.reserved_spots, page.occupied_spots) c
      ORDER BY ${key}`;
  }
  const key = sql`page.distance_e4, page.id`;
  return sql`
    WITH inside AS (${inside(search)}),
    page AS (SELECT * FROM inside page WHERE ${afterCursor(key, search)} ORDER BY ${key} LIMIT ${search.want})
    SELECT ${lotColumns}, page.distance_e4
    FROM page JOIN parking_lots l ON l.id = page.id CROSS JOIN LATERAL ${spotCounts(sql`l.id`)} c
    ORDER BY ${key}`;
}

export async function searchInPostgres(deps: Deps, search: GeoSearch): Promise<NearbyLot[]> {
  const { rows } = await deps.db.execute<Lot & { distance_e4: number }>(searchStatement(search));
  return rows.map(({ distance_e4, ...lot }) => ({ ...lot, distance_m: distance_e4 / 10_000 }));
}
