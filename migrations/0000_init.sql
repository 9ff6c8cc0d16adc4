CREATE TYPE "public"."payment_method" AS ENUM('card', 'cash', 'upi');--> statement-breakpoint
CREATE TYPE "public"."reservation_status" AS ENUM('reserved', 'parked', 'completed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."spot_status" AS ENUM('available', 'reserved', 'occupied');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('user', 'admin');--> statement-breakpoint
CREATE TABLE "daily_metrics" (
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"value" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "daily_metrics_day_metric_pk" PRIMARY KEY("day","metric"),
	CONSTRAINT "daily_metrics_value_not_negative" CHECK ("daily_metrics"."value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" integer NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" smallint,
	"response_body" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "parking_lots" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"pin_code" text NOT NULL,
	"price_per_hour_cents" integer NOT NULL,
	"capacity" integer NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "parking_lots_price_not_negative" CHECK ("parking_lots"."price_per_hour_cents" >= 0),
	CONSTRAINT "parking_lots_capacity_range" CHECK ("parking_lots"."capacity" BETWEEN 1 AND 5000),
	CONSTRAINT "parking_lots_latitude_range" CHECK ("parking_lots"."latitude" BETWEEN -90 AND 90),
	CONSTRAINT "parking_lots_longitude_range" CHECK ("parking_lots"."longitude" BETWEEN -180 AND 180)
);
--> statement-breakpoint
CREATE TABLE "pending_invalidations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"lot_id" integer,
	"spot_id" integer,
	"spot_number" smallint NOT NULL,
	"vehicle_plate" text NOT NULL,
	"status" "reservation_status" DEFAULT 'reserved' NOT NULL,
	"reserved_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"parked_at" timestamp (3) with time zone,
	"released_at" timestamp (3) with time zone,
	"price_per_hour_cents" integer NOT NULL,
	"cost_cents" integer,
	"payment_method" "payment_method",
	CONSTRAINT "reservations_price_not_negative" CHECK ("reservations"."price_per_hour_cents" >= 0),
	CONSTRAINT "reservations_cost_not_negative" CHECK ("reservations"."cost_cents" >= 0),
	CONSTRAINT "reservations_state_timestamps" CHECK (("reservations"."status" = 'reserved' AND "reservations"."parked_at" IS NULL AND "reservations"."released_at" IS NULL)
        OR ("reservations"."status" = 'parked' AND "reservations"."parked_at" IS NOT NULL AND "reservations"."released_at" IS NULL)
        OR ("reservations"."status" = 'completed' AND "reservations"."parked_at" IS NOT NULL AND "reservations"."released_at" IS NOT NULL AND "reservations"."cost_cents" IS NOT NULL)
        OR ("reservations"."status" = 'cancelled' AND "reservations"."parked_at" IS NULL AND "reservations"."released_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "spots" (
	"id" serial PRIMARY KEY NOT NULL,
	"lot_id" integer NOT NULL,
	"number" smallint NOT NULL,
	"status" "spot_status" DEFAULT 'available' NOT NULL,
	CONSTRAINT "spots_number_positive" CHECK ("spots"."number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"name" text NOT NULL,
	"vehicle_plate" text,
	"role" "user_role" DEFAULT 'user' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_shape" CHECK ("users"."email" LIKE '%_@_%')
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_lot_id_parking_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."parking_lots"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_spot_id_spots_id_fk" FOREIGN KEY ("spot_id") REFERENCES "public"."spots"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spots" ADD CONSTRAINT "spots_lot_id_parking_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."parking_lots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_one_active_per_spot" ON "reservations" USING btree ("spot_id") WHERE "reservations"."status" IN ('reserved', 'parked');--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_one_active_per_plate" ON "reservations" USING btree ("vehicle_plate") WHERE "reservations"."status" IN ('reserved', 'parked');--> statement-breakpoint
CREATE INDEX "reservations_user_id_idx" ON "reservations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "reservations_lot_id_idx" ON "reservations" USING btree ("lot_id");--> statement-breakpoint
CREATE INDEX "reservations_reserved_at_idx" ON "reservations" USING btree ("reserved_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_unique" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "spots_lot_number_unique" ON "spots" USING btree ("lot_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree (lower("email"));