// What must hold after any fault, read in SQL and compared with what the Worker and its cache answer:
// every reserved or occupied spot has exactly one active reservation in the matching state and every active
// reservation its spot; each lot has spots 1..capacity; the availability the API serves (cached or not) and
// every cached lot in Redis equals the spots; every idempotency record matches the booking it answered;
// no counter claims more bookings than the database holds. Cache invalidations still pending (keys a write
// could not clear, kept in Postgres until an isolate reconciles) are printed: a key among them whose cached
// value were stale would fail the check of the cached lots above.
import { requestHash } from '../src/services/reservations/booking.ts';
import { call } from './fixtures.ts';
import type { Report } from './report.ts';
import type { World } from './world.ts';

interface Counts {
  capacity: number;
  available_spots: number;
  reserved_spots: number;
  occupied_spots: number;
  held_spots: number;
}

const show = (rows: unknown[]) => JSON.stringify(rows.slice(0, 5));
const sameCounts = (a: Counts, b: Counts) =>
  a.capacity === b.capacity && a.available_spots === b.available_spots && a.reserved_spots === b.reserved_spots && a.occupied_spots === b.occupied_spots && a.held_spots === b.held_spots;

export async function checkInvariants(world: World, report: Report, scenario: string): Promise<void> {
  const badSpots = await world.sql(`
    SELECT s.id, s.lot_id, s.number, s.status::text, count(r.id)::int AS active, array_agg(r.status::text) FILTER (WHERE r.id IS NOT NULL) AS states
    FROM spots s LEFT JOIN reservations r ON r.spot_id = s.id AND r.status IN ('reserved', 'parked')
    GROUP BY s.id
    HAVING (s.status IN ('available', 'held') AND count(r.id) > 0)
        OR (s.status IN ('reserved', 'occupied') AND count(r.id) <> 1)
        OR ((s.status = 'held') <> EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.spot_id = s.id AND w.status = 'offered'))
        OR (s.status = 'reserved' AND bool_or(r.status <> 'reserved'))
        OR (s.status = 'occupied' AND bool_or(r.status <> 'parked'))`);
  report.check(scenario, 'every reserved/occupied spot has exactly one active reservation in its state, every free or held spot none, every held spot one running offer', badSpots.length === 0, show(badSpots));

  const badReservations = await world.sql(`
    SELECT r.id, r.status::text, r.lot_id, r.spot_id, s.lot_id AS spot_lot, s.status::text AS spot_status
    FROM reservations r LEFT JOIN spots s ON s.id = r.spot_id
    WHERE r.status IN ('reserved', 'parked')
      AND (s.id IS NULL OR s.lot_id IS DISTINCT FROM r.lot_id OR s.number <> r.spot_number
           OR s.status::text <> CASE r.status WHEN 'reserved' THEN 'reserved' ELSE 'occupied' END)`);
  report.check(scenario, 'every active reservation holds its spot, in its lot, in the matching state', badReservations.length === 0, show(badReservations));

  const badLots = await world.sql(`
    SELECT l.id, l.capacity, count(s.id)::int AS spots, coalesce(max(s.number), 0)::int AS highest
    FROM parking_lots l LEFT JOIN spots s ON s.lot_id = l.id GROUP BY l.id
    HAVING count(s.id) <> l.capacity OR coalesce(max(s.number), 0) <> l.capacity`);
  report.check(scenario, 'every lot has exactly the spots 1..capacity', badLots.length === 0, show(badLots));

  const truth = new Map<number, Counts>();
  for (const row of await world.sql(`
    SELECT l.id, l.capacity,
           count(*) FILTER (WHERE s.status = 'available')::int AS available_spots,
           count(*) FILTER (WHERE s.status = 'reserved')::int AS reserved_spots,
           count(*) FILTER (WHERE s.status = 'occupied')::int AS occupied_spots,
           count(*) FILTER (WHERE s.status = 'held')::int AS held_spots
    FROM parking_lots l JOIN spots s ON s.lot_id = l.id GROUP BY l.id`)) {
    truth.set(row.id as number, row as unknown as Counts);
  }
  const served: unknown[] = [];
  const cachedWrong: unknown[] = [];
  for (const [id, counts] of truth) {
    const res = await call<Counts>(world.origin, 'GET', `/parking-lots/${id}`);
    if (res.status !== 200 || !res.body || !sameCounts(res.body, counts)) served.push({ id, status: res.status, served: res.body, truth: counts });
    const cached = await world.redis(['GET', `parking_lot:${id}`]);
    if (cached !== null) {
      const value = JSON.parse(String(cached)) as Counts;
      if (!sameCounts(value, counts)) cachedWrong.push({ id, cached: value, truth: counts });
    }
  }
  const page = await call<{ data: (Counts & { id: number })[] }>(world.origin, 'GET', '/parking-lots');
  for (const lot of page.body?.data ?? []) {
    const counts = truth.get(lot.id);
    if (counts && !sameCounts(lot, counts)) served.push({ list: true, id: lot.id, served: lot, truth: counts });
  }
  report.check(scenario, `the availability served for each of ${truth.size} lots (single and first page) equals its spots`, served.length === 0 && page.status === 200, show(served));
  report.check(scenario, 'no cached lot in Redis claims other counts than its spots', cachedWrong.length === 0, show(cachedWrong));

  const records = await world.sql(`
    SELECT k.user_id, k.key, k.request_hash, k.response_status, k.response_body::text AS body,
           r.id AS reservation_id, r.user_id AS reservation_user, r.lot_id, r.vehicle_plate
    FROM idempotency_keys k
    LEFT JOIN reservations r ON k.response_status = 201 AND r.id = (k.response_body->>'id')::int`);
  const badRecords = records.filter((k) => {
    if (k.response_status === null) return true; // a claim is committed with its answer, never without
    const body = JSON.parse(String(k.body)) as { id?: number; lot_id?: number; vehicle_plate?: string; error?: { code?: string } };
    if (k.response_status !== 201) return !body.error?.code;
    return (
      k.reservation_id === null ||
      k.reservation_user !== k.user_id ||
      k.lot_id !== body.lot_id ||
      k.vehicle_plate !== body.vehicle_plate ||
      k.request_hash !== requestHash(k.lot_id as number, String(k.vehicle_plate))
    );
  });
  const reused = await world.sql(`
    SELECT response_body->>'id' AS id, count(*)::int AS records FROM idempotency_keys
    WHERE response_status = 201 GROUP BY 1 HAVING count(*) > 1`);
  report.check(scenario, `each of ${records.length} idempotency records matches its booking (lot, plate, user, request hash), one record per booking`, badRecords.length === 0 && reused.length === 0, show([...badRecords, ...reused]));

  const [{ bookings }] = (await world.sql(`SELECT count(*)::int AS bookings FROM reservations`)) as [{ bookings: number }];
  const counted = Number(String((await world.redis(['GET', 'total_reservations'])) ?? 0));
  report.check(scenario, `the booking counter (${counted}) claims no more than the database holds (${bookings})`, counted <= bookings);

  const pending = await world.sql(`SELECT key FROM pending_invalidations`);
  if (pending.length) console.log(`  note: ${pending.length} cache invalidations still pending in Postgres: ${show(pending)}`);
}
