// A search by distance as both of its answerers see it (Redis: geo-search.ts, PostgreSQL: geo-sql.ts): the
// snapped point, the radius in metres, the order and its keyset cursor, and the bounding box of the circle that
// PostgreSQL scans on its index.
import type { LotSort, NearbyLot } from '../../schemas/lots.ts';
import type { PageRequest } from '../../schemas/pagination.ts';
import { decodeCursor, type SortKey } from '../pagination.ts';
import { EARTH_RADIUS_M, REDIS_GEO_MAX_LATITUDE, degrees, radians, snapped, type Point } from './geo-point.ts';

export interface NearQuery {
  near: Point;
  radius_km: number;
  sort: LotSort;
}

export interface Box {
  latMin: number;
  latMax: number;
  /** One range, two across the antimeridian, or all longitudes when the circle holds a pole. */
  lngRanges: [number, number][];
}

export interface GeoSearch {
  /** Where distances are measured from (geo-point.ts). */
  centre: Point;
  radiusM: number;
  sort: LotSort;
  box: Box;
  /** The circle stays within the latitudes Redis GEO holds, so Redis knows every lot it may find. */
  redisCanAnswer: boolean;
  /** The cursor's list: cursors of one search are refused by another. */
  list: string;
  /** The sort key of the last row of the previous page. */
  after: SortKey | undefined;
  /** The page's rows plus one, which tells whether there is a next page. */
  want: number;
}

/**
 * Wider than the circle by more than snapping moves a point (at most 0.34 m), so a lot whose cell centre is in
 * the circle is in the box by its stored coordinates too.
 */
const BOX_MARGIN_M = 1;

/**
 * The sort key of a row, compared element by element, all ascending: distance in tenths of a millimetre then
 * id, or (for `available`) free spots negated, then distance, then id.
 */
export function sortKey(sort: LotSort, lot: { id: number; available_spots: number }, distanceE4: number): SortKey {
  return sort === 'available' ? [-lot.available_spots, distanceE4, lot.id] : [distanceE4, lot.id];
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  }
  return 0;
}

/** The key of a row of the answer: its distance_m is the key's distance exactly (n / 10 000). */
export const keyOfRow = (sort: LotSort) => (lot: NearbyLot) => sortKey(sort, lot, Math.round(lot.distance_m * 10_000));

export function boundingBox(centre: Point, radiusM: number): Box {
  const reach = degrees((radiusM + BOX_MARGIN_M) / EARTH_RADIUS_M);
  const latMin = centre.lat - reach;
  const latMax = centre.lat + reach;
  if (latMin <= -90 || latMax >= 90) return { latMin: Math.max(-90, latMin), latMax: Math.min(90, latMax), lngRanges: [[-180, 180]] };
  // The widest longitude of a spherical cap: asin(sin r / cos φ), below 90° since the cap holds no pole.
  const spread = degrees(Math.asin(Math.sin(radians(reach)) / Math.cos(radians(centre.lat))));
  const [lo, hi] = [centre.lng - spread, centre.lng + spread];
  if (lo < -180) return { latMin, latMax, lngRanges: [[lo + 360, 180], [-180, hi]] };
  if (hi > 180) return { latMin, latMax, lngRanges: [[lo, 180], [-180, hi - 360]] };
  return { latMin, latMax, lngRanges: [[lo, hi]] };
}

export function prepareSearch(query: NearQuery, page: PageRequest): GeoSearch {
  const centre = snapped(query.near);
  const radiusM = query.radius_km * 1000;
  const box = boundingBox(centre, radiusM);
  const list = `near:${query.near.lat},${query.near.lng},${query.radius_km},${query.sort}`;
  const shape = query.sort === 'available' ? (['number', 'number', 'number'] as const) : (['number', 'number'] as const);
  return {
    centre,
    radiusM,
    sort: query.sort,
    box,
    redisCanAnswer: box.latMin >= -REDIS_GEO_MAX_LATITUDE && box.latMax <= REDIS_GEO_MAX_LATITUDE,
    list,
    after: decodeCursor(list, page.cursor, shape),
    want: page.limit + 1,
  };
}
