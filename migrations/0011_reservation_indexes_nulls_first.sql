DROP INDEX "reservations_user_id_id_idx";--> statement-breakpoint
DROP INDEX "reservations_lot_id_id_idx";--> statement-breakpoint
DROP INDEX "reservations_status_id_idx";--> statement-breakpoint
CREATE INDEX "reservations_user_id_id_idx" ON "reservations" USING btree ("user_id","id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "reservations_lot_id_id_idx" ON "reservations" USING btree ("lot_id","id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "reservations_status_id_idx" ON "reservations" USING btree ("status","id" DESC NULLS FIRST);