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
-- Adds one statement's deltas to the lot's row of the hour it runs in (UTC), lot by lot in id order. The lot's
-- latest row is locked first: every writer of a lot passes through that lock (the hour's row, or before the
-- hour's first change the last hour's), so the clock is read after it and a change is counted in the hour it
-- lands in, after every change before it. The hour's first change starts from the state the latest row left
-- (for a lot with no row yet, from its spots less the deltas) and counts the seconds since the hour began at
-- that state; a later change adds to the row. Two writers that both found the last hour's row (the second
-- waited for the first, which made this hour's) meet at the hour's key: the second adds its deltas to the row the
-- first made. A lot the statement deleted keeps no history (its rows go with it, ON DELETE CASCADE).
CREATE FUNCTION lot_occupancy_apply(deltas lot_occupancy_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d record;
  p lot_occupancy_hours;
  has_row boolean;
  at timestamptz;
  this_hour timestamptz;
  occupied_before integer;
  capacity_before integer;
BEGIN
  FOR d IN
    SELECT x.lot_id, sum(x.occupied)::int AS occupied, sum(x.capacity)::int AS capacity
    FROM unnest(deltas) x WHERE EXISTS (SELECT 1 FROM parking_lots l WHERE l.id = x.lot_id)
    GROUP BY x.lot_id HAVING sum(x.occupied) <> 0 OR sum(x.capacity) <> 0 ORDER BY x.lot_id
  LOOP
    SELECT * INTO p FROM lot_occupancy_hours h WHERE h.lot_id = d.lot_id ORDER BY h.hour DESC LIMIT 1 FOR UPDATE;
    has_row := FOUND;
    at := clock_timestamp();
    this_hour := date_trunc('hour', at, 'UTC');
    IF has_row AND p.hour >= this_hour THEN
      UPDATE lot_occupancy_hours h SET
        occupied_seconds = h.occupied_seconds + h.last_occupied * greatest(0, extract(epoch FROM at - h.last_change_at)),
        min_occupied = least(h.min_occupied, h.last_occupied + d.occupied),
        max_occupied = greatest(h.max_occupied, h.last_occupied + d.occupied),
        last_occupied = h.last_occupied + d.occupied,
        capacity = h.capacity + d.capacity,
        last_change_at = greatest(at, h.last_change_at)
      WHERE h.lot_id = d.lot_id AND h.hour = p.hour;
    ELSE
      IF has_row THEN
        occupied_before := p.last_occupied;
        capacity_before := p.capacity;
      ELSE
        SELECT count(*) FILTER (WHERE s.status <> 'available')::int - d.occupied, count(*)::int - d.capacity
        INTO occupied_before, capacity_before FROM spots s WHERE s.lot_id = d.lot_id;
      END IF;
      INSERT INTO lot_occupancy_hours AS h (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
      VALUES (d.lot_id, this_hour, least(occupied_before, occupied_before + d.occupied), greatest(occupied_before, occupied_before + d.occupied),
              occupied_before * extract(epoch FROM at - this_hour), occupied_before + d.occupied, capacity_before + d.capacity, at)
      ON CONFLICT (lot_id, hour) DO UPDATE SET
        occupied_seconds = h.occupied_seconds + h.last_occupied * greatest(0, extract(epoch FROM at - h.last_change_at)),
        min_occupied = least(h.min_occupied, h.last_occupied + d.occupied),
        max_occupied = greatest(h.max_occupied, h.last_occupied + d.occupied),
        last_occupied = h.last_occupied + d.occupied,
        capacity = h.capacity + d.capacity,
        last_change_at = greatest(at, h.last_change_at);
    END IF;
  END LOOP;
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
