-- One row per key: the newest of any duplicates stays (its id is the highest, so no write is forgotten).
DELETE FROM "pending_invalidations" p USING "pending_invalidations" q WHERE p."key" = q."key" AND p."id" < q."id";--> statement-breakpoint
CREATE UNIQUE INDEX "pending_invalidations_key_unique" ON "pending_invalidations" USING btree ("key");
