-- The API's JSON for a reservation, built where the row is: every reservation the API returns comes from
-- here, so an Idempotency-Key replay (stored as json) is byte for byte the first answer.
CREATE OR REPLACE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION api_reservation(r reservations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id,
    'user_id', r.user_id,
    'lot_id', r.lot_id,
    'spot_number', r.spot_number,
    'vehicle_plate', r.vehicle_plate,
    'status', r.status,
    'reserved_at', api_time(r.reserved_at),
    'parked_at', api_time(r.parked_at),
    'released_at', api_time(r.released_at),
    'price_per_hour_cents', r.price_per_hour_cents,
    'cost_cents', r.cost_cents,
    'payment_method', r.payment_method
  )
$$;
