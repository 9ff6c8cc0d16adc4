// The search by distance in PostgreSQL, for when Redis cannot answer it: the same lots in the same order as
// Redis gives. The index parking_lots_position_idx on (latitude, longitude) finds the candidates: the latitude
// band of the circle, then one longitude range (two across the antimeridian, all of them when the circle holds
// a pole), and the exact distance decides, measured as Redis measures it (geo-point.ts: the same floating-point
// operations in the same order, written as plain expressions that the planner evaluates inline, 30 times
// faster than SQL functions). Only the lots inside the circle are counted for `available`, only the page's for
// `distance`.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { Lot, NearbyLot } from '../../schemas/lots.ts';
import { EARTH_RADIUS_M, REDIS_GEO_MAX_LATITUDE, type Point } from './geo-point.ts';
import type { GeoSearch } from './geo-query.ts';
import { lotColumns, spotCounts } from './lot-view.ts';

const float = (value: number) => sql`${value}::float8`;
const DEG_TO_RAD = sql`(pi() / 180::float8)`;
const CELLS = sql`67108864::float8`;
const [LAT_MIN, LAT_MAX] = [float(-REDIS_GEO_MAX_LATITUDE), float(REDIS_GEO_MAX_LATITUDE)];

/** geo-point.ts cellCentre(): the centre of the 26-bit geohash cell of `value` in [lo, hi]. */
function cellCentre(value: SQL, lo: SQL, hi: SQL): SQL {
  const cell = sql`floor(((${value} - ${lo}) / (${hi} - ${lo})) * ${CELLS})`;
  return sql`least(${hi}, greatest(${lo}, ((${lo} + (${cell} / ${CELLS}) * (${hi} - ${lo})) + (${lo} + ((${cell} + 1) / ${CELLS}) * (${hi} - ${lo}))) / 2::float8))`;
}

/** geo-point.ts snapped() of the lot `l`: the point `p` (lat, lng) that distances to it are measured from. */
const lotPoint = sql`
    CROSS JOIN LATERAL (SELECT l.latitude BETWEEN ${LAT_MIN} AND ${LAT_MAX} AS held) r
    CROSS JOIN LATERAL (
      SELECT CASE WHEN r.held THEN ${cellCentre(sql`l.latitude`, LAT_MIN, LAT_MAX)} ELSE l.latitude END AS lat,
             CASE WHEN r.held THEN ${cellCentre(sql`CASE WHEN l.longitude = 180 THEN -180::float8 ELSE l.longitude END`, float(-180), float(180))} ELSE l.longitude END AS lng
    ) p`;

/** Redis's geohashGetDistance from the centre to `p`: the haversine on its sphere, in metres, as `d.distance`. */
function distanceTo(centre: Point): SQL {
  const [lng1, lat1] = [float(centre.lng), float(centre.lat)];
  const radius = float(EARTH_RADIUS_M);
  return sql`
    CROSS JOIN LATERAL (
      SELECT sin((p.lng * ${DEG_TO_RAD} - ${lng1} * ${DEG_TO_RAD}) / 2::float8) AS v, sin((p.lat * ${DEG_TO_RAD} - ${lat1} * ${DEG_TO_RAD}) / 2::float8) AS u
    ) h
    CROSS JOIN LATERAL (
      SELECT CASE WHEN h.v = 0 THEN ${radius} * abs(p.lat * ${DEG_TO_RAD} - ${lat1} * ${DEG_TO_RAD})
        ELSE 2::float8 * ${radius} * asin(least(1::float8, sqrt(h.u * h.u + cos(${lat1} * ${DEG_TO_RAD}) * cos(p.lat * ${DEG_TO_RAD}) * h.v * h.v)))
      END AS distance
    ) d`;
}

/** Joined to rows `l` (latitude, longitude): `d.distance`, their distance from `centre` as Redis measures it. */
export function measuredFrom(centre: Point): SQL {
  return sql`${lotPoint} ${distanceTo(centre)}`;
}

function inside(search: GeoSearch): SQL {
  const { box, radiusM } = search;
  const longitudes = sql.join(
    box.lngRanges.map(([lo, hi]) => sql`l.longitude BETWEEN ${float(lo)} AND ${float(hi)}`),
    sql` OR `,
  );
  return sql`
    SELECT l.id, round(d.distance * 10000) AS distance_e4
    FROM parking_lots l ${measuredFrom(search.centre)}
    WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
      AND l.latitude BETWEEN ${float(box.latMin)} AND ${float(box.latMax)}
      AND (${longitudes})
      AND d.distance <= ${float(radiusM)}`;
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
      FROM page JOIN parking_lots l ON l.id = page.id CROSS JOIN LATERAL (SELECT page.available_spots, page.reserved_spots, page.occupied_spots, page.held_spots) c
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
