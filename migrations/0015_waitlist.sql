CREATE TYPE "public"."waitlist_status" AS ENUM('waiting', 'offered', 'accepted', 'lapsed');--> statement-breakpoint
ALTER TYPE "public"."spot_status" ADD VALUE 'held';--> statement-breakpoint
CREATE TABLE "waitlist_entries" (
	"id" serial PRIMARY KEY NOT NULL,
	"lot_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"vehicle_plate" text NOT NULL,
	"status" "waitlist_status" DEFAULT 'waiting' NOT NULL,
	"hold_seconds" integer NOT NULL,
	"joined_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"spot_id" integer,
	"spot_number" smallint,
	"offered_at" timestamp (3) with time zone,
	"offer_expires_at" timestamp (3) with time zone,
	"offer_version" bigint,
	"reservation_id" integer,
	CONSTRAINT "waitlist_entries_hold_seconds_range" CHECK ("waitlist_entries"."hold_seconds" BETWEEN 1 AND 86400),
	CONSTRAINT "waitlist_entries_state_fields" CHECK (("waitlist_entries"."status" = 'waiting' AND "waitlist_entries"."spot_id" IS NULL AND "waitlist_entries"."offer_expires_at" IS NULL)
        OR ("waitlist_entries"."status" = 'offered' AND "waitlist_entries"."spot_id" IS NOT NULL AND "waitlist_entries"."offer_expires_at" IS NOT NULL)
        OR ("waitlist_entries"."status" = 'accepted' AND "waitlist_entries"."offer_expires_at" IS NOT NULL)
        OR ("waitlist_entries"."status" = 'lapsed' AND "waitlist_entries"."offer_expires_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "parking_lots" ADD COLUMN "availability_xact" bigint;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_lot_id_parking_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."parking_lots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_spot_id_spots_id_fk" FOREIGN KEY ("spot_id") REFERENCES "public"."spots"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "waitlist_entries_lot_status_id_idx" ON "waitlist_entries" USING btree ("lot_id","status","id");--> statement-breakpoint
CREATE INDEX "waitlist_entries_user_id_id_idx" ON "waitlist_entries" USING btree ("user_id","id" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_one_per_plate" ON "waitlist_entries" USING btree ("vehicle_plate") WHERE "waitlist_entries"."status" IN ('waiting', 'offered');--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_one_offer_per_spot" ON "waitlist_entries" USING btree ("spot_id") WHERE "waitlist_entries"."status" = 'offered';--> statement-breakpoint
-- The waitlist's SQL (src/db/waitlist.ts). Functions that name the new spot status 'held' are PL/pgSQL: their
-- bodies are planned at first call, after this migration's ADD VALUE has committed.
--
-- A lot's availability version is now raised once per transaction (availability_xact is the transaction that
-- last raised it): a release whose freed spot is handed to the waitlist changes the spots in two statements (the
-- release, the hold), and its live event must still be one version after the last.
CREATE FUNCTION lot_bump(lots int[]) RETURNS void LANGUAGE sql AS $$
  UPDATE parking_lots l
  SET availability_version = l.availability_version + 1, availability_xact = pg_current_xact_id()::text::bigint
  WHERE l.id = ANY (lots) AND l.availability_xact IS DISTINCT FROM pg_current_xact_id()::text::bigint
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lot_availability_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM lot_bump(ARRAY(SELECT DISTINCT n.lot_id FROM new_rows n ORDER BY 1));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM lot_bump(ARRAY(SELECT DISTINCT o.lot_id FROM old_rows o ORDER BY 1));
  ELSE
    PERFORM lot_bump(ARRAY(
      SELECT DISTINCT n.lot_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE o.status IS DISTINCT FROM n.status ORDER BY 1));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Hands the lot's free spots to the head of its queue, lowest spot to the oldest entry, each held for the entry's
-- hold_seconds. Called at the end of every statement that made a spot of the lot available (a release, a
-- cancellation, a capacity raise, a lapsed or dropped offer), in its transaction.
--   The lot's row lock comes first (lot_bump: FOR NO KEY UPDATE, as the version's trigger takes it anyway): every
-- change of a lot's queue (join, leave, accept, lapse) takes that lock first too, so the queue read below, in a
-- statement of its own (a fresh snapshot once the lock is held), is the whole queue. A join that committed before
-- is seen here; one that waits for this lock sees the held spots afterwards, and no free one.
--   Spots another transaction holds locked are skipped (SKIP LOCKED): a booking taking it, or a release that
-- will hand it over itself once it has the lot's lock. Waiters whose plate holds an active reservation keep
-- their place and are passed over (they could not accept).
CREATE FUNCTION waitlist_hand_over(lot int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v bigint;
  held_at timestamptz;
BEGIN
  PERFORM lot_bump(ARRAY[lot]);
  IF NOT EXISTS (SELECT 1 FROM waitlist_entries WHERE lot_id = lot AND status = 'waiting') THEN
    RETURN;
  END IF;
  SELECT availability_version INTO v FROM parking_lots WHERE id = lot;
  held_at := clock_timestamp();
  WITH free AS MATERIALIZED (
    SELECT s.id, s.number, row_number() OVER (ORDER BY s.number) AS n
    FROM (SELECT id, number FROM spots WHERE lot_id = lot AND status = 'available' ORDER BY number FOR UPDATE SKIP LOCKED) s
  ), queue AS MATERIALIZED (
    SELECT q.id, row_number() OVER (ORDER BY q.id) AS n
    FROM (
      SELECT e.id FROM waitlist_entries e
      WHERE e.lot_id = lot AND e.status = 'waiting'
        AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.vehicle_plate = e.vehicle_plate AND r.status IN ('reserved', 'parked'))
      ORDER BY e.id LIMIT (SELECT count(*) FROM free)
      FOR UPDATE
    ) q
  ), pairs AS MATERIALIZED (
    SELECT free.id AS spot_id, free.number, queue.id AS entry_id FROM free JOIN queue USING (n)
  ), held AS (
    UPDATE spots s SET status = 'held' FROM pairs WHERE s.id = pairs.spot_id RETURNING s.id
  )
  -- The hold starts when it is made, under the lot's lock (clock_timestamp, not the transaction's start: a
  -- release that waited for the lock offers after the one it waited for), so a lot's offers follow queue order.
  UPDATE waitlist_entries e
  SET status = 'offered', spot_id = p.spot_id, spot_number = p.number, offered_at = held_at,
      offer_expires_at = held_at + make_interval(secs => e.hold_seconds), offer_version = v
  FROM pairs p WHERE e.id = p.entry_id;
END $$;
--> statement-breakpoint
CREATE FUNCTION waitlist_spots_freed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lot int;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR lot IN SELECT DISTINCT n.lot_id FROM new_rows n WHERE n.status = 'available' ORDER BY 1 LOOP
      PERFORM waitlist_hand_over(lot);
    END LOOP;
  ELSE
    FOR lot IN
      SELECT DISTINCT n.lot_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.status = 'available' AND o.status IS DISTINCT FROM n.status ORDER BY 1
    LOOP
      PERFORM waitlist_hand_over(lot);
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER spots_waitlist_insert AFTER INSERT ON spots
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION waitlist_spots_freed();
--> statement-breakpoint
CREATE TRIGGER spots_waitlist_update AFTER UPDATE ON spots
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION waitlist_spots_freed();
--> statement-breakpoint
-- An offer that ends other than by its acceptance (it lapsed, its entry was deleted: the driver left, an admin
-- removed it, the account was deleted) gives its held spot back, which waitlist_spots_freed then hands to the
-- next in the queue, in the same statement.
CREATE FUNCTION waitlist_release_holds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE spots s SET status = 'available'
    FROM (SELECT spot_id FROM old_rows WHERE status = 'offered' ORDER BY spot_id) o
    WHERE s.id = o.spot_id AND s.status = 'held';
  ELSE
    UPDATE spots s SET status = 'available'
    FROM (SELECT o.spot_id FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.status = 'offered' AND n.status NOT IN ('offered', 'accepted') ORDER BY o.spot_id) o
    WHERE s.id = o.spot_id AND s.status = 'held';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER waitlist_entries_release_update AFTER UPDATE ON waitlist_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION waitlist_release_holds();
--> statement-breakpoint
CREATE TRIGGER waitlist_entries_release_delete AFTER DELETE ON waitlist_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION waitlist_release_holds();
--> statement-breakpoint
-- The offers of the lot whose time is up lapse (their spots go to the next in the queue, by the triggers above);
-- answers when the lot's next offer ends (epoch ms), or null with none. The lot's Durable Object calls it from its
-- alarm, after the lot's lock (FOR NO KEY UPDATE) in the same transaction.
CREATE FUNCTION waitlist_lapse_due(lot int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  next_end float8;
BEGIN
  UPDATE waitlist_entries SET status = 'lapsed'
  WHERE id IN (SELECT id FROM waitlist_entries WHERE lot_id = lot AND status = 'offered' AND offer_expires_at <= now() ORDER BY id);
  SELECT extract(epoch FROM min(offer_expires_at)) * 1000 INTO next_end FROM waitlist_entries WHERE lot_id = lot AND status = 'offered';
  RETURN next_end;
END $$;
--> statement-breakpoint
-- The API's JSON for a waitlist entry; `position` is its place among the lot's waiting entries (1: next).
CREATE FUNCTION api_waitlist_entry(e waitlist_entries) RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id,
    'lot_id', e.lot_id,
    'user_id', e.user_id,
    'vehicle_plate', e.vehicle_plate,
    'status', e.status,
    'position', CASE WHEN e.status = 'waiting' THEN 1 + (
      SELECT count(*) FROM waitlist_entries w WHERE w.lot_id = e.lot_id AND w.status = 'waiting' AND w.id < e.id) END,
    'joined_at', api_time(e.joined_at),
    'spot_number', e.spot_number,
    'offered_at', api_time(e.offered_at),
    'offer_expires_at', api_time(e.offer_expires_at),
    'reservation_id', e.reservation_id
  )
$$;
--> statement-breakpoint
-- waitlist.offered for webhooks (migration 0014's outbox): an entry offered a held spot, as GET /waitlist shows
-- it, written in the statement that made the offer (the release, cancellation, capacity raise or lapse).
CREATE FUNCTION webhook_waitlist_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'offered' AND OLD.status IS DISTINCT FROM NEW.status THEN
    PERFORM webhook_emit('waitlist.offered', NEW.lot_id, api_waitlist_entry(NEW)::jsonb);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER waitlist_entries_webhook_offered AFTER UPDATE OF status ON waitlist_entries
  FOR EACH ROW EXECUTE FUNCTION webhook_waitlist_event();
