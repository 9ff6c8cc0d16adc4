-- A lot's availability version: raised by one, in the statement itself, whenever that statement changes the
-- state of any of the lot's spots (a booking, a park, a release or a cancellation, a capacity change). The live
-- stream's events carry it, so they have one order per lot and a watcher never goes back in time, and the
-- lot's cache entry is written through in that order. Statement triggers with transition tables: one UPDATE of
-- the lot row per statement, whatever the number of spots.
CREATE FUNCTION lot_availability_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE parking_lots l SET availability_version = l.availability_version + 1
    WHERE l.id IN (SELECT DISTINCT n.lot_id FROM new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE parking_lots l SET availability_version = l.availability_version + 1
    WHERE l.id IN (SELECT DISTINCT o.lot_id FROM old_rows o);
  ELSE
    UPDATE parking_lots l SET availability_version = l.availability_version + 1
    WHERE l.id IN (
      SELECT DISTINCT n.lot_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE o.status IS DISTINCT FROM n.status);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER spots_availability_insert AFTER INSERT ON spots
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_availability_bump();
--> statement-breakpoint
CREATE TRIGGER spots_availability_update AFTER UPDATE ON spots
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_availability_bump();
--> statement-breakpoint
CREATE TRIGGER spots_availability_delete AFTER DELETE ON spots
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lot_availability_bump();
