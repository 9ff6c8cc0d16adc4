CREATE INDEX "parking_lots_position_idx" ON "parking_lots" USING btree ("latitude","longitude") WHERE "parking_lots"."latitude" IS NOT NULL AND "parking_lots"."longitude" IS NOT NULL;--> statement-breakpoint
-- Redis GEO's geometry in SQL, for the search without Redis (src/services/lots/geo-point.ts is the same in
-- TypeScript): the same floating-point operations in the same order as Redis's geohash.c and
-- geohash_helper.c, so both answer alike. The centre of the 26-bit cell of `v` in [lo, hi].
CREATE OR REPLACE FUNCTION redis_geo_cell_centre(v float8, lo float8, hi float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT least(hi, greatest(lo, ((lo + (cell / 67108864::float8) * (hi - lo)) + (lo + ((cell + 1) / 67108864::float8) * (hi - lo))) / 2::float8))
  FROM (SELECT floor(((v - lo) / (hi - lo)) * 67108864::float8) AS cell) c
$$;
--> statement-breakpoint
-- Where distances to a lot are measured from: its Redis cell centre, or its coordinates beyond Redis GEO's
-- latitudes (±85.05112878). Longitude 180 is taken as -180, as the app stores it in Redis.
CREATE OR REPLACE FUNCTION geo_lat(lat float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN lat BETWEEN -85.05112878::float8 AND 85.05112878::float8
    THEN redis_geo_cell_centre(lat, -85.05112878::float8, 85.05112878::float8) ELSE lat END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION geo_lng(lat float8, lng float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN lat BETWEEN -85.05112878::float8 AND 85.05112878::float8
    THEN redis_geo_cell_centre(CASE WHEN lng = 180 THEN -180::float8 ELSE lng END, -180::float8, 180::float8) ELSE lng END
$$;
--> statement-breakpoint
-- Redis's geohashGetDistance: the haversine on a sphere of 6372797.560856 m, from (lng1, lat1) to (lng2, lat2).
CREATE OR REPLACE FUNCTION redis_geo_distance(lng1 float8, lat1 float8, lng2 float8, lat2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN h.v = 0 THEN 6372797.560856::float8 * abs(lat2 * k.d_r - lat1 * k.d_r)
    ELSE 2::float8 * 6372797.560856::float8 * asin(least(1::float8, sqrt(h.u * h.u + cos(lat1 * k.d_r) * cos(lat2 * k.d_r) * h.v * h.v)))
  END
  FROM (SELECT pi() / 180::float8 AS d_r) k
  CROSS JOIN LATERAL (SELECT sin((lng2 * k.d_r - lng1 * k.d_r) / 2::float8) AS v, sin((lat2 * k.d_r - lat1 * k.d_r) / 2::float8) AS u) h
$$;
