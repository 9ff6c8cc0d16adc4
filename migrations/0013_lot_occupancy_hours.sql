CREATE TABLE "lot_occupancy_hours" (
	"lot_id" integer NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"min_occupied" integer NOT NULL,
	"max_occupied" integer NOT NULL,
	"occupied_seconds" double precision NOT NULL,
	"last_occupied" integer NOT NULL,
	"capacity" integer NOT NULL,
	"last_change_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lot_occupancy_hours_lot_id_hour_pk" PRIMARY KEY("lot_id","hour"),
	CONSTRAINT "lot_occupancy_hours_counts" CHECK (0 <= "lot_occupancy_hours"."min_occupied" AND "lot_occupancy_hours"."min_occupied" <= "lot_occupancy_hours"."max_occupied" AND "lot_occupancy_hours"."last_occupied" BETWEEN "lot_occupancy_hours"."min_occupied" AND "lot_occupancy_hours"."max_occupied"),
	CONSTRAINT "lot_occupancy_hours_on_the_hour" CHECK ("lot_occupancy_hours"."hour" = date_trunc('hour', "lot_occupancy_hours"."hour", 'UTC'))
);
--> statement-breakpoint
ALTER TABLE "lot_occupancy_hours" ADD CONSTRAINT "lot_occupancy_hours_lot_id_parking_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."parking_lots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lot_occupancy_hours_hour_idx" ON "lot_occupancy_hours" USING btree ("hour");--> statement-breakpoint
-- What one statement did to the spots of one lot: spots occupied (reserved or parked) and spots there, as deltas.
CREATE TYPE "lot_occupancy_delta" AS ("lot_id" integer, "occupied" integer, "capacity" integer);
--> statement-breakpoint
-- Adds one statement's deltas to the hour it runs in (the trigger's clock, UTC), one row per lot. The hour's first
-- change starts from the state the lot's latest row left it in (or, for a lot with no row yet, from its spots less
-- the deltas), and counts the seconds since the hour began at that state. Later changes of the hour add to the row
-- under its lock, from the row as the writers before them left it: two bookings at once count two. The writer
-- that waited for the lock counts its change from the later of its own time and the last change's (never a
-- negative span). Rows are written in lot order, so two statements never wait for each other in a circle here.
-- A lot deleted by the statement keeps no history (its rows go with it, ON DELETE CASCADE).
CREATE FUNCTION lot_occupancy_apply(deltas lot_occupancy_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := clock_timestamp();
  this_hour timestamptz := date_trunc('hour', at, 'UTC');
BEGIN
  INSERT INTO lot_occupancy_hours AS h (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
  SELECT d.lot_id, this_hour,
         least(b.occupied, b.occupied + d.occupied), greatest(b.occupied, b.occupied + d.occupied),
         b.occupied * extract(epoch FROM at - this_hour),
         b.occupied + d.occupied, b.capacity + d.capacity, at
  FROM (SELECT x.lot_id, sum(x.occupied)::int AS occupied, sum(x.capacity)::int AS capacity
        FROM unnest(deltas) x GROUP BY x.lot_id) d
  JOIN parking_lots l ON l.id = d.lot_id
  LEFT JOIN LATERAL (
    SELECT p.last_occupied, p.capacity FROM lot_occupancy_hours p
    WHERE p.lot_id = d.lot_id AND p.hour <= this_hour ORDER BY p.hour DESC LIMIT 1
  ) p ON true
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE s.status <> 'available')::int AS occupied, count(*)::int AS capacity
    FROM spots s WHERE s.lot_id = d.lot_id AND p.last_occupied IS NULL
  ) n ON true
  CROSS JOIN LATERAL (
    SELECT coalesce(p.last_occupied, n.occupied - d.occupied) AS occupied, coalesce(p.capacity, n.capacity - d.capacity) AS capacity
  ) b
  WHERE d.occupied <> 0 OR d.capacity <> 0
  ORDER BY d.lot_id
  ON CONFLICT (lot_id, hour) DO UPDATE SET
    occupied_seconds = h.occupied_seconds
      + h.last_occupied * extract(epoch FROM greatest(EXCLUDED.last_change_at, h.last_change_at) - h.last_change_at),
    min_occupied = least(h.min_occupied, h.last_occupied + (SELECT sum(x.occupied)::int FROM unnest(deltas) x WHERE x.lot_id = h.lot_id)),
    max_occupied = greatest(h.max_occupied, h.last_occupied + (SELECT sum(x.occupied)::int FROM unnest(deltas) x WHERE x.lot_id = h.lot_id)),
    last_occupied = h.last_occupied + (SELECT sum(x.occupied)::int FROM unnest(deltas) x WHERE x.lot_id = h.lot_id),
    capacity = h.capacity + (SELECT sum(x.capacity)::int FROM unnest(deltas) x WHERE x.lot_id = h.lot_id),
    last_change_at = greatest(EXCLUDED.last_change_at, h.last_change_at);
END $$;
--> statement-breakpoint
-- The statement triggers' body: every new row adds its spot (and, when not free, its occupancy), every old row
-- takes it away, whatever the statement was (a booking, a step, a capacity change, a lot's spots made or deleted).
CREATE FUNCTION lot_occupancy_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  deltas lot_occupancy_delta[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    deltas := ARRAY(SELECT ROW(n.lot_id, (n.status <> 'available')::int, 1)::lot_occupancy_delta FROM new_rows n);
  ELSIF TG_OP = 'UPDATE' THEN
    deltas := ARRAY(SELECT ROW(n.lot_id, (n.status <> 'available')::int, 1)::lot_occupancy_delta FROM new_rows n
                    UNION ALL
                    SELECT ROW(o.lot_id, -(o.status <> 'available')::int, -1)::lot_occupancy_delta FROM old_rows o);
  ELSE
    deltas := ARRAY(SELECT ROW(o.lot_id, -(o.status <> 'available')::int, -1)::lot_occupancy_delta FROM old_rows o);
  END IF;
  IF cardinality(deltas) > 0 THEN
    PERFORM lot_occupancy_apply(deltas);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- One transaction: every lot starts its history with its spots as they are now (what came before is not known),
-- under a lock that holds writers of spots off until the triggers are in place, so no change is missed.
DO $$
DECLARE
  at timestamptz := clock_timestamp();
BEGIN
  LOCK TABLE spots IN SHARE ROW EXCLUSIVE MODE;
  INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
  SELECT c.lot_id, date_trunc('hour', at, 'UTC'), c.occupied, c.occupied, c.occupied * extract(epoch FROM at - date_trunc('hour', at, 'UTC')),
         c.occupied, c.capacity, at
  FROM (SELECT s.lot_id, count(*) FILTER (WHERE s.status <> 'available')::int AS occupied, count(*)::int AS capacity
        FROM spots s GROUP BY s.lot_id) c;
  CREATE TRIGGER spots_occupancy_insert AFTER INSERT ON spots
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_occupancy_maintain();
  CREATE TRIGGER spots_occupancy_update AFTER UPDATE ON spots
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_occupancy_maintain();
  CREATE TRIGGER spots_occupancy_delete AFTER DELETE ON spots
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_occupancy_maintain();
END $$;
