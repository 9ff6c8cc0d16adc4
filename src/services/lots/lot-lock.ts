// The one lock order of a lot: the lot's row first, its spots after. Every write that touches a lot's spots
// starts with this statement, in the same transaction (one `db.batch`, still one round trip):
// - a booking, and a reservation step (park, release, cancel), take FOR KEY SHARE: they admit each other (spots
//   decide between them), and it is the lock the reservation's foreign key takes anyway;
// - a capacity change or a delete takes FOR UPDATE, which waits for every booking in flight and holds off new
//   ones;
// - a change of the lot's waitlist (join, leave, accept, a lapse) takes FOR NO KEY UPDATE, the lock that the
//   version's trigger below takes at the end of every write of the lot's spots, and that the waitlist's handover
//   takes before reading the queue: changes of the queue and handovers of one lot happen one at a time, and each
//   sees all that the one before it committed (migration 0015).
// Without it a booking locked a spot and then (through the foreign key) the lot, while a shrink or a delete
// locked the lot and then the spots: a deadlock. It also gives the statement after it a snapshot taken once the
// lock is held (READ COMMITTED takes one per statement), so it sees every spot that the transactions it waited
// for made, took or removed; a single statement waiting on the lot row inside a CTE re-reads that row only.
//
// At the end of each statement that changes how many of a lot's spots are free, a trigger raises the lot's
// availability version (migration 0012), which updates the lot row (FOR NO KEY UPDATE): writes of one lot queue
// there for the rest of their transaction. That lock comes after the spots in every write, and it does not wait
// for the KEY SHARE of the others, so the order stays lot (shared), spots, lot (the version): no circle. A
// shrink or a delete, holding the lot FOR UPDATE from the start, waits for them all, and they for it.
import { sql, type SQL } from 'drizzle-orm';

/** Locks the lot `id` (a number, or an SQL expression of it). */
export function lockLot(id: number | SQL, mode: 'KEY SHARE' | 'NO KEY UPDATE' | 'UPDATE'): SQL {
  return sql`SELECT id FROM parking_lots WHERE id = ${id} FOR ${sql.raw(mode)}`;
}
