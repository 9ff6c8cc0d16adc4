ALTER TABLE "parking_lots" DROP CONSTRAINT "parking_lots_price_not_negative";--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "cost_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "parking_lots" ADD CONSTRAINT "parking_lots_price_range" CHECK ("parking_lots"."price_per_hour_cents" BETWEEN 0 AND 1000000);