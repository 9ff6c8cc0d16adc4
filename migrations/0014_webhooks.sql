CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"webhook_id" integer NOT NULL,
	"event_id" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"enqueued_at" timestamp (3) with time zone,
	"last_attempt_at" timestamp (3) with time zone,
	"last_status_code" smallint,
	"last_latency_ms" integer,
	"last_error" text,
	"next_retry_at" timestamp (3) with time zone,
	"delivered_at" timestamp (3) with time zone,
	"log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_status" CHECK ("webhook_deliveries"."status" IN ('pending', 'delivered', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"lot_id" integer,
	"data" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_lot_states" (
	"lot_id" integer PRIMARY KEY NOT NULL,
	"state" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" serial PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"lot_ids" integer[],
	"secret" text NOT NULL,
	"description" text,
	"disabled_at" timestamp (3) with time zone,
	"disabled_reason" text,
	"failures_in_a_row" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_webhook_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."webhook_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_lot_states" ADD CONSTRAINT "webhook_lot_states_lot_id_parking_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."parking_lots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_webhook_id_idx" ON "webhook_deliveries" USING btree ("webhook_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_unsent_idx" ON "webhook_deliveries" USING btree ("id") WHERE "webhook_deliveries"."status" = 'pending' AND "webhook_deliveries"."enqueued_at" IS NULL;--> statement-breakpoint
-- The outbox (src/services/webhooks/): every change a webhook may be told of writes its event, and one delivery
-- per matching enabled webhook, in the statement (or, for a lot's state, the transaction) of the change itself,
-- so an event exists exactly when its change committed, whatever wrote it. Nothing is written while no webhook
-- wants the event. The Worker enqueues the new deliveries after its response; the minute sweep those it missed.
CREATE FUNCTION webhook_emit(event_type text, event_lot integer, event_data jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  new_event bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM webhooks w
    WHERE w.disabled_at IS NULL AND event_type = ANY (w.events) AND (w.lot_ids IS NULL OR event_lot = ANY (w.lot_ids))
  ) THEN
    RETURN;
  END IF;
  -- clock_timestamp(): the moment of the change (close to its commit), from which the delivery delay is measured.
  INSERT INTO webhook_events (type, lot_id, data, created_at)
  VALUES (event_type, event_lot, event_data, clock_timestamp()) RETURNING id INTO new_event;
  INSERT INTO webhook_deliveries (webhook_id, event_id)
  SELECT w.id, new_event FROM webhooks w
  WHERE w.disabled_at IS NULL AND event_type = ANY (w.events) AND (w.lot_ids IS NULL OR event_lot = ANY (w.lot_ids))
  ORDER BY w.id;
END $$;
--> statement-breakpoint
-- reservation.created on a booking, reservation.parked|completed|cancelled on each step: the reservation as the
-- API shows it (api_reservation, migration 0002).
CREATE FUNCTION webhook_reservation_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM webhook_emit('reservation.created', NEW.lot_id, api_reservation(NEW)::jsonb);
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('parked', 'completed', 'cancelled') THEN
    PERFORM webhook_emit('reservation.' || NEW.status::text, NEW.lot_id, api_reservation(NEW)::jsonb);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reservations_webhook_insert AFTER INSERT ON reservations
  FOR EACH ROW EXECUTE FUNCTION webhook_reservation_event();
--> statement-breakpoint
CREATE TRIGGER reservations_webhook_update AFTER UPDATE OF status ON reservations
  FOR EACH ROW EXECUTE FUNCTION webhook_reservation_event();
--> statement-breakpoint
-- lot.updated when a field an operator sets changed (not the availability version, which every booking raises);
-- lot.deleted when the lot is gone.
CREATE FUNCTION webhook_lot_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM webhook_emit('lot.deleted', OLD.id, jsonb_build_object('id', OLD.id, 'name', OLD.name, 'deleted_at', api_time(now())));
  ELSIF (NEW.name, NEW.address, NEW.pin_code, NEW.price_per_hour_cents, NEW.capacity, NEW.latitude, NEW.longitude)
        IS DISTINCT FROM (OLD.name, OLD.address, OLD.pin_code, OLD.price_per_hour_cents, OLD.capacity, OLD.latitude, OLD.longitude) THEN
    PERFORM webhook_emit('lot.updated', NEW.id, jsonb_build_object(
      'id', NEW.id, 'name', NEW.name, 'address', NEW.address, 'pin_code', NEW.pin_code,
      'price_per_hour_cents', NEW.price_per_hour_cents, 'capacity', NEW.capacity,
      'latitude', NEW.latitude, 'longitude', NEW.longitude, 'updated_at', api_time(NEW.updated_at)));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER parking_lots_webhook_update AFTER UPDATE ON parking_lots
  FOR EACH ROW EXECUTE FUNCTION webhook_lot_event();
--> statement-breakpoint
CREATE TRIGGER parking_lots_webhook_delete AFTER DELETE ON parking_lots
  FOR EACH ROW EXECUTE FUNCTION webhook_lot_event();
--> statement-breakpoint
-- The live stream's rule for a lot's state (src/services/live/availability.ts stateOf; a test holds the two
-- equal): full with none free; almost_full with at most max(2, a tenth of the capacity) free; else available.
CREATE FUNCTION webhook_lot_state(available integer, capacity integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN available <= 0 THEN 'full'
              WHEN available <= greatest(2, capacity / 10) THEN 'almost_full'
              ELSE 'available' END
$$;
--> statement-breakpoint
-- lot.state_changed: checked at commit (a deferred constraint trigger), when every statement of the transaction
-- is done, so a capacity change in two statements (the lot, then its spots) is one change of state, never a
-- passing one. The lot's row lock, which the availability version's trigger took, orders the commits of one
-- lot, so each sees the state the one before it left in webhook_lot_states.
CREATE FUNCTION webhook_lot_state_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lot parking_lots;
  free integer;
  now_state text;
  was text;
BEGIN
  -- Nobody listening: no work at all. The states kept go stale then, so the first subscription to this event
  -- takes every lot's state anew (services/webhooks/webhooks-service.ts). A lot with no state yet (a new lot)
  -- records its first one without an event.
  IF NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.disabled_at IS NULL AND 'lot.state_changed' = ANY (w.events)) THEN
    RETURN NULL;
  END IF;
  SELECT * INTO lot FROM parking_lots WHERE id = NEW.id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT count(*)::int INTO free FROM spots WHERE lot_id = lot.id AND status = 'available';
  now_state := webhook_lot_state(free, lot.capacity);
  SELECT s.state INTO was FROM webhook_lot_states s WHERE s.lot_id = lot.id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO webhook_lot_states (lot_id, state) VALUES (lot.id, now_state) ON CONFLICT (lot_id) DO NOTHING;
    RETURN NULL;
  END IF;
  IF was = now_state THEN
    RETURN NULL;
  END IF;
  UPDATE webhook_lot_states SET state = now_state WHERE lot_id = lot.id;
  PERFORM webhook_emit('lot.state_changed', lot.id, jsonb_build_object(
    'lot_id', lot.id, 'state', now_state, 'previous_state', was, 'available_spots', free, 'capacity', lot.capacity,
    'version', lot.availability_version, 'at', api_time(clock_timestamp())));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER parking_lots_webhook_state_insert AFTER INSERT ON parking_lots
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION webhook_lot_state_check();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER parking_lots_webhook_state_update AFTER UPDATE ON parking_lots
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.availability_version IS DISTINCT FROM NEW.availability_version OR OLD.capacity IS DISTINCT FROM NEW.capacity)
  EXECUTE FUNCTION webhook_lot_state_check();
