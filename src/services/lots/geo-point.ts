// Points as Redis GEO sees them, reproduced exactly so that the search without Redis (geo-sql.ts, the same
// operations in SQL) answers what Redis answers. Redis stores a position as a 52-bit
// geohash (26 bits of latitude, 26 of longitude) and measures from the centre of its cell, so every distance
// is measured between cell centres: ours are too (the search point is snapped the same way), computed with
// Redis's own haversine (geohash_helper.c: earth radius 6372797.560856 m, the same operations in the same
// order), and Redis's 4 decimals (llrint(d × 10 000)).
//
// Redis GEO holds latitudes within ±85.05112878° only (Web Mercator's limits). A point beyond is used as it is;
// a search whose circle reaches beyond is answered by PostgreSQL alone (geo-query.ts).

export interface Point {
  lat: number;
  lng: number;
}

export const EARTH_RADIUS_M = 6372797.560856;
export const REDIS_GEO_MAX_LATITUDE = 85.05112878;
const CELLS = 2 ** 26;

/** The centre of the geohash cell of `value` in [lo, hi], as geohashEncode and geohashDecode compute it. */
function cellCentre(value: number, lo: number, hi: number): number {
  const cell = Math.floor(((value - lo) / (hi - lo)) * CELLS);
  const min = lo + (cell / CELLS) * (hi - lo);
  const max = lo + ((cell + 1) / CELLS) * (hi - lo);
  return Math.min(hi, Math.max(lo, (min + max) / 2));
}

export function inRedisRange(latitude: number): boolean {
  return latitude >= -REDIS_GEO_MAX_LATITUDE && latitude <= REDIS_GEO_MAX_LATITUDE;
}

/**
 * The position to give Redis for a point, or null when Redis GEO cannot hold it. Longitude 180 is given as -180
 * (the same meridian): Redis encodes 180 as cell 2^26, one bit too many, and its score then loses the lowest
 * latitude bit, so its cell could not be reproduced.
 */
export function redisPosition(point: Point): Point | null {
  if (!inRedisRange(point.lat)) return null;
  return { lat: point.lat, lng: point.lng === 180 ? -180 : point.lng };
}

/** Where distances are measured from: the centre of the point's Redis cell, or the point itself beyond Redis's range. */
export function snapped(point: Point): Point {
  const position = redisPosition(point);
  if (!position) return point;
  return {
    lat: cellCentre(position.lat, -REDIS_GEO_MAX_LATITUDE, REDIS_GEO_MAX_LATITUDE),
    lng: cellCentre(position.lng, -180, 180),
  };
}

export const radians = (degrees: number) => degrees * (Math.PI / 180);
export const degrees = (radians: number) => radians / (Math.PI / 180);
