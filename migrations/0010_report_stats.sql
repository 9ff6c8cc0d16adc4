CREATE TABLE "reservation_stats_by_day" (
	"day" date NOT NULL,
	"slot" smallint NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	"parked" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"minutes_parked" bigint DEFAULT 0 NOT NULL,
	"revenue_cents" bigint DEFAULT 0 NOT NULL,
	"completed_card" integer DEFAULT 0 NOT NULL,
	"completed_cash" integer DEFAULT 0 NOT NULL,
	"completed_upi" integer DEFAULT 0 NOT NULL,
	"revenue_card_cents" bigint DEFAULT 0 NOT NULL,
	"revenue_cash_cents" bigint DEFAULT 0 NOT NULL,
	"revenue_upi_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "reservation_stats_by_day_day_slot_pk" PRIMARY KEY("day","slot"),
	CONSTRAINT "reservation_stats_by_day_slot_range" CHECK ("reservation_stats_by_day"."slot" BETWEEN 0 AND 15)
);
--> statement-breakpoint
CREATE TABLE "reservation_stats_by_lot" (
	"lot_id" integer PRIMARY KEY NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	"parked" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"minutes_parked" bigint DEFAULT 0 NOT NULL,
	"revenue_cents" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reservation_stats_by_user_lot" (
	"user_id" integer NOT NULL,
	"lot_id" integer NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	"parked" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"minutes_parked" bigint DEFAULT 0 NOT NULL,
	"revenue_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "reservation_stats_by_user_lot_user_id_lot_id_pk" PRIMARY KEY("user_id","lot_id")
);
--> statement-breakpoint
CREATE TABLE "row_counts" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"users" bigint DEFAULT 0 NOT NULL,
	"parking_lots" bigint DEFAULT 0 NOT NULL,
	"spots" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "row_counts_one_row" CHECK ("row_counts"."singleton")
);
--> statement-breakpoint
DROP INDEX "reservations_completed_released_at_idx";--> statement-breakpoint
-- What one reservation adds to the report aggregates (`sign` 1), or takes away (-1): events on UTC days, keyed
-- by its lot and user (0 for none). See reservation_stats_by_day in src/db/report-stats.ts for what each column means.
CREATE TYPE "reservation_stats_delta" AS (
	"day" date, "lot_id" integer, "user_id" integer,
	"booked" integer, "parked" integer, "cancelled" integer, "completed" integer,
	"minutes_parked" bigint, "revenue_cents" bigint,
	"completed_card" integer, "completed_cash" integer, "completed_upi" integer,
	"revenue_card_cents" bigint, "revenue_cash_cents" bigint, "revenue_upi_cents" bigint
);
--> statement-breakpoint
-- A completed stay's minutes are the ones it was priced by: max(1, ceil(seconds / 60)). One SELECT over a VALUES
-- list of the four possible events, so the planner inlines it (a backfill or a rebuild runs it once a row).
CREATE FUNCTION reservation_stats_events(r reservations, sign integer) RETURNS SETOF reservation_stats_delta
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (e.at AT TIME ZONE 'UTC')::date, coalesce(r.lot_id, 0), coalesce(r.user_id, 0),
         CASE WHEN e.kind = 'booked' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'parked' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'cancelled' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'completed' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'completed' THEN sign * greatest(1, ceil(extract(epoch FROM r.released_at - r.parked_at) / 60))::bigint ELSE 0 END,
         CASE WHEN e.kind = 'completed' THEN sign * r.cost_cents ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'card' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'cash' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'upi' THEN sign ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'card' THEN sign * r.cost_cents ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'cash' THEN sign * r.cost_cents ELSE 0 END,
         CASE WHEN e.kind = 'completed' AND r.payment_method = 'upi' THEN sign * r.cost_cents ELSE 0 END
  FROM (VALUES ('booked', r.reserved_at, true),
               ('parked', r.parked_at, r.status IN ('parked', 'completed')),
               ('completed', r.released_at, r.status = 'completed'),
               ('cancelled', r.released_at, r.status = 'cancelled')) e(kind, at, happened)
  WHERE e.happened
$$;
--> statement-breakpoint
-- Adds the deltas to the three aggregates. Rows are locked in one order by every writer (the user rows, then the
-- lot rows, then the day rows, each by key), so two statements never wait for each other in a circle here; the
-- day rows, which every writer of the day shares, come last, so they are held the shortest.
-- A key whose deltas cancel out (a lot deleted moves its events from its id to 0: the day rows do not change)
-- is not touched at all. A lot's or a user's row goes once nothing counts in it any more. A day's events go to
-- the slot of the writing transaction (its id modulo 16): concurrent writers spread over a day's 16 rows.
CREATE FUNCTION reservation_stats_apply(deltas reservation_stats_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reservation_stats_by_user_lot AS s (user_id, lot_id, booked, parked, cancelled, completed, minutes_parked, revenue_cents)
  SELECT d.user_id, d.lot_id, sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents)
  FROM unnest(deltas) d GROUP BY d.user_id, d.lot_id
  HAVING ROW(sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents)) <> ROW(0, 0, 0, 0, 0, 0)
  ORDER BY d.user_id, d.lot_id
  ON CONFLICT (user_id, lot_id) DO UPDATE SET
    booked = s.booked + EXCLUDED.booked, parked = s.parked + EXCLUDED.parked, cancelled = s.cancelled + EXCLUDED.cancelled,
    completed = s.completed + EXCLUDED.completed, minutes_parked = s.minutes_parked + EXCLUDED.minutes_parked,
    revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents;

  INSERT INTO reservation_stats_by_lot AS s (lot_id, booked, parked, cancelled, completed, minutes_parked, revenue_cents)
  SELECT d.lot_id, sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents)
  FROM unnest(deltas) d GROUP BY d.lot_id
  HAVING ROW(sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents)) <> ROW(0, 0, 0, 0, 0, 0)
  ORDER BY d.lot_id
  ON CONFLICT (lot_id) DO UPDATE SET
    booked = s.booked + EXCLUDED.booked, parked = s.parked + EXCLUDED.parked, cancelled = s.cancelled + EXCLUDED.cancelled,
    completed = s.completed + EXCLUDED.completed, minutes_parked = s.minutes_parked + EXCLUDED.minutes_parked,
    revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents;

  INSERT INTO reservation_stats_by_day AS s
    (day, slot, booked, parked, cancelled, completed, minutes_parked, revenue_cents,
     completed_card, completed_cash, completed_upi, revenue_card_cents, revenue_cash_cents, revenue_upi_cents)
  SELECT d.day, (txid_current() % 16)::smallint, sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents),
         sum(d.completed_card), sum(d.completed_cash), sum(d.completed_upi), sum(d.revenue_card_cents), sum(d.revenue_cash_cents), sum(d.revenue_upi_cents)
  FROM unnest(deltas) d GROUP BY d.day
  HAVING ROW(sum(d.booked), sum(d.parked), sum(d.cancelled), sum(d.completed), sum(d.minutes_parked), sum(d.revenue_cents),
             sum(d.completed_card), sum(d.completed_cash), sum(d.completed_upi), sum(d.revenue_card_cents), sum(d.revenue_cash_cents), sum(d.revenue_upi_cents))
         <> ROW(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  ORDER BY d.day
  ON CONFLICT (day, slot) DO UPDATE SET
    booked = s.booked + EXCLUDED.booked, parked = s.parked + EXCLUDED.parked, cancelled = s.cancelled + EXCLUDED.cancelled,
    completed = s.completed + EXCLUDED.completed, minutes_parked = s.minutes_parked + EXCLUDED.minutes_parked,
    revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents,
    completed_card = s.completed_card + EXCLUDED.completed_card, completed_cash = s.completed_cash + EXCLUDED.completed_cash,
    completed_upi = s.completed_upi + EXCLUDED.completed_upi, revenue_card_cents = s.revenue_card_cents + EXCLUDED.revenue_card_cents,
    revenue_cash_cents = s.revenue_cash_cents + EXCLUDED.revenue_cash_cents, revenue_upi_cents = s.revenue_upi_cents + EXCLUDED.revenue_upi_cents;

  -- Every reservation counts one `booked` in its user's and its lot's rows: none left, nothing left. (These rows
  -- were just written, so their locks are held already.)
  IF EXISTS (SELECT 1 FROM unnest(deltas) d WHERE d.booked < 0) THEN
    DELETE FROM reservation_stats_by_user_lot s
    WHERE s.booked = 0 AND (s.user_id, s.lot_id) IN (SELECT d.user_id, d.lot_id FROM unnest(deltas) d WHERE d.booked < 0);
    DELETE FROM reservation_stats_by_lot s WHERE s.booked = 0 AND s.lot_id IN (SELECT d.lot_id FROM unnest(deltas) d WHERE d.booked < 0);
  END IF;
END $$;
--> statement-breakpoint
-- The statement triggers' body: the new rows' events minus the old rows', whatever the statement was (a
-- booking, a step, a foreign key setting lot_id or user_id to null, a fix by hand).
CREATE FUNCTION reservation_stats_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  deltas reservation_stats_delta[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    deltas := ARRAY(SELECT e FROM new_rows r, reservation_stats_events(ROW(r.*)::reservations, 1) e);
  ELSIF TG_OP = 'UPDATE' THEN
    deltas := ARRAY(SELECT e FROM new_rows r, reservation_stats_events(ROW(r.*)::reservations, 1) e
                    UNION ALL
                    SELECT e FROM old_rows r, reservation_stats_events(ROW(r.*)::reservations, -1) e);
  ELSE
    deltas := ARRAY(SELECT e FROM old_rows r, reservation_stats_events(ROW(r.*)::reservations, -1) e);
  END IF;
  IF cardinality(deltas) > 0 THEN
    PERFORM reservation_stats_apply(deltas);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION row_counts_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO n FROM new_rows;
  ELSE
    SELECT -count(*) INTO n FROM old_rows;
  END IF;
  IF n <> 0 THEN
    UPDATE row_counts SET
      users = users + CASE WHEN TG_TABLE_NAME = 'users' THEN n ELSE 0 END,
      parking_lots = parking_lots + CASE WHEN TG_TABLE_NAME = 'parking_lots' THEN n ELSE 0 END,
      spots = spots + CASE WHEN TG_TABLE_NAME = 'spots' THEN n ELSE 0 END;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Everything again from the tables themselves: the backfill below, after a TRUNCATE, and bench/seed-scale.ts.
-- Set-based rather than through reservation_stats_apply, since writers wait for it: the events of every
-- reservation once into a temporary table, then each aggregate from it (about 10 s for a million
-- reservations on a small machine; bench:reports prints the migration's time).
CREATE FUNCTION report_stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE reservations, users, parking_lots, spots IN SHARE MODE;
  -- TRUNCATE, not DELETE: inserting a million keys over as many dead ones of the same transaction is slow.
  TRUNCATE reservation_stats_by_day, reservation_stats_by_lot, reservation_stats_by_user_lot;
  SET LOCAL work_mem = '64MB'; -- fewer spills to disk, and safe on a small compute (256MB saved 10 %)
  CREATE TEMP TABLE report_stats_events ON COMMIT DROP AS SELECT e.* FROM reservations r, reservation_stats_events(r, 1) e;
  INSERT INTO reservation_stats_by_day
    (day, slot, booked, parked, cancelled, completed, minutes_parked, revenue_cents,
     completed_card, completed_cash, completed_upi, revenue_card_cents, revenue_cash_cents, revenue_upi_cents)
  SELECT day, 0, sum(booked), sum(parked), sum(cancelled), sum(completed), sum(minutes_parked), sum(revenue_cents),
         sum(completed_card), sum(completed_cash), sum(completed_upi), sum(revenue_card_cents), sum(revenue_cash_cents), sum(revenue_upi_cents)
  FROM report_stats_events GROUP BY day;
  INSERT INTO reservation_stats_by_lot (lot_id, booked, parked, cancelled, completed, minutes_parked, revenue_cents)
  SELECT lot_id, sum(booked), sum(parked), sum(cancelled), sum(completed), sum(minutes_parked), sum(revenue_cents)
  FROM report_stats_events GROUP BY lot_id;
  INSERT INTO reservation_stats_by_user_lot (user_id, lot_id, booked, parked, cancelled, completed, minutes_parked, revenue_cents)
  SELECT user_id, lot_id, sum(booked), sum(parked), sum(cancelled), sum(completed), sum(minutes_parked), sum(revenue_cents)
  FROM report_stats_events GROUP BY user_id, lot_id;
  DROP TABLE report_stats_events;
  INSERT INTO row_counts (singleton, users, parking_lots, spots)
  VALUES (true, (SELECT count(*) FROM users), (SELECT count(*) FROM parking_lots), (SELECT count(*) FROM spots))
  ON CONFLICT (singleton) DO UPDATE SET users = EXCLUDED.users, parking_lots = EXCLUDED.parking_lots, spots = EXCLUDED.spots;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_stats_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_stats_rebuild();
  RETURN NULL;
END $$;
--> statement-breakpoint
-- One transaction: the triggers start with the backfill's snapshot, under locks that hold writers off until the
-- commit, so no write is counted twice or missed.
DO $$
BEGIN
  LOCK TABLE reservations, users, parking_lots, spots IN SHARE ROW EXCLUSIVE MODE;
  CREATE TRIGGER reservations_stats_insert AFTER INSERT ON reservations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reservation_stats_maintain();
  CREATE TRIGGER reservations_stats_update AFTER UPDATE ON reservations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reservation_stats_maintain();
  CREATE TRIGGER reservations_stats_delete AFTER DELETE ON reservations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reservation_stats_maintain();
  CREATE TRIGGER users_counted_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER users_counted_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER parking_lots_counted_insert AFTER INSERT ON parking_lots
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER parking_lots_counted_delete AFTER DELETE ON parking_lots
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER spots_counted_insert AFTER INSERT ON spots
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER spots_counted_delete AFTER DELETE ON spots
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_counts_maintain();
  CREATE TRIGGER report_stats_truncated AFTER TRUNCATE ON reservations FOR EACH STATEMENT EXECUTE FUNCTION report_stats_truncated();
  CREATE TRIGGER report_stats_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION report_stats_truncated();
  CREATE TRIGGER report_stats_truncated AFTER TRUNCATE ON parking_lots FOR EACH STATEMENT EXECUTE FUNCTION report_stats_truncated();
  CREATE TRIGGER report_stats_truncated AFTER TRUNCATE ON spots FOR EACH STATEMENT EXECUTE FUNCTION report_stats_truncated();
  PERFORM report_stats_rebuild();
END $$;
