// The one lock order of a lot: the lot's row first, its spots after. Every write that touches a lot's spots
// starts with this statement, in the same transaction (one `db.batch`, still one round trip):
// - a booking takes FOR KEY SHARE: bookings admit each other (spots decide between them), and it is the lock
//   the reservation's foreign key takes anyway, so nothing is taken that the booking would not take later;
// - a capacity change or a delete takes FOR UPDATE, which waits for every booking in flight and holds off new
//   ones.
// Without it a booking locked a spot and then (through the foreign key) the lot, while a shrink or a delete
// locked the lot and then the spots: a deadlock. It also gives the statement after it a snapshot taken once the
// lock is held (READ COMMITTED takes one per statement), so it sees every spot that the transactions it waited
// for made, took or removed; a single statement waiting on the lot row inside a CTE re-reads that row only.
//
// The reservation steps (park, release, cancel) take no lot lock: each locks its reservation, then that
// reservation's spot. A shrink or a delete locks spots and, through ON DELETE SET NULL, the reservations of the
// spots it removes; but it removes only spots it found free, whose reservations are all finished, while a step
// goes on to the spot only for an active reservation, whose spot is busy. So they never wait in a circle.
import { sql, type SQL } from 'drizzle-orm';

export function lockLot(id: number, mode: 'KEY SHARE' | 'UPDATE'): SQL {
  return sql`SELECT id FROM parking_lots WHERE id = ${id} FOR ${sql.raw(mode)}`;
}
