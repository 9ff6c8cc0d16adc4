CREATE INDEX "parking_lots_position_idx" ON "parking_lots" USING btree ("latitude","longitude") WHERE "parking_lots"."latitude" IS NOT NULL AND "parking_lots"."longitude" IS NOT NULL;
