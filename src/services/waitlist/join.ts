// Joining the waitlist of a full lot, and the caller's entries. A join takes the lot's lock first (FOR NO KEY
// UPDATE, ../lots/lot-lock.ts), as every handover of a freed spot does: a join either comes after a release's
// handover and sees the held spot (the lot is still full: it queues), or the release comes after it and hands
// its spot to the queue that now includes it. So no spot is ever free while someone waits.
import { sql } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { Page, PageRequest } from '../../schemas/pagination.ts';
import type { User } from '../../schemas/users.ts';
import type { WaitlistEntry } from '../../schemas/waitlist.ts';
import { lockLot } from '../lots/lot-lock.ts';
import { decodeCursor, toPage } from '../pagination.ts';

const messages = {
  notFound: 'There is no such parking lot.',
  notFull: 'This lot has a free spot: book it directly with POST /reservations.',
  plateBusy: 'This vehicle already holds an active reservation.',
  waiting: 'This vehicle is already in a waitlist (one queue at a time): leave it first with DELETE /waitlist/{id}.',
};

type JoinRow = { found: boolean; free: number; plate_busy: boolean; plate_waiting: boolean; entry: WaitlistEntry | null };

export async function joinWaitlist(deps: Deps, actor: User, lotId: number, vehiclePlate: string): Promise<WaitlistEntry> {
  let row: JoinRow;
  try {
    const [, joined] = await deps.db.batch([
      deps.db.execute(lockLot(lotId, 'NO KEY UPDATE')),
      deps.db.execute<JoinRow>(sql`
        WITH lot AS (
          SELECT id FROM parking_lots WHERE id = ${lotId}
        ), free AS (
          SELECT count(*)::int AS n FROM spots WHERE lot_id = ${lotId} AND status = 'available'
        ), plate_busy AS (
          SELECT 1 FROM reservations WHERE vehicle_plate = ${vehiclePlate} AND status IN ('reserved', 'parked')
        ), plate_waiting AS (
          SELECT 1 FROM waitlist_entries WHERE vehicle_plate = ${vehiclePlate} AND status IN ('waiting', 'offered')
        ), joined AS (
          INSERT INTO waitlist_entries (lot_id, user_id, vehicle_plate, hold_seconds)
          SELECT lot.id, ${actor.id}, ${vehiclePlate}, ${deps.config.waitlistHoldSeconds} FROM lot
          WHERE (SELECT n FROM free) = 0 AND NOT EXISTS (SELECT 1 FROM plate_busy) AND NOT EXISTS (SELECT 1 FROM plate_waiting)
          RETURNING *
        )
        SELECT EXISTS (SELECT 1 FROM lot) AS found, (SELECT n FROM free) AS free,
               EXISTS (SELECT 1 FROM plate_busy) AS plate_busy, EXISTS (SELECT 1 FROM plate_waiting) AS plate_waiting,
               (SELECT api_waitlist_entry(ROW(j.*)::waitlist_entries) FROM joined j) AS entry`),
    ]);
    row = joined.rows[0]!;
  } catch (error) {
    // The same plate joining two lots at once (their locks are not the same): the unique index decided.
    if (constraintOf(error) === 'waitlist_entries_one_per_plate') throw new AppError('already_waiting', messages.waiting);
    if (constraintOf(error) === 'waitlist_entries_user_id_users_id_fk') throw new AppError('unauthorized', 'This account no longer exists.');
    if (constraintOf(error) === 'waitlist_entries_lot_id_parking_lots_id_fk') throw new AppError('not_found', messages.notFound);
    throw error;
  }
  if (row.entry) return row.entry;
  if (!row.found) throw new AppError('not_found', messages.notFound);
  if (row.free > 0) throw new AppError('lot_not_full', messages.notFull, { available_spots: row.free });
  if (row.plate_busy) throw new AppError('vehicle_already_parked', messages.plateBusy);
  throw new AppError('already_waiting', messages.waiting);
}

/** The caller's entries, newest first, a page at a time (an index range of their entries). */
export async function listWaitlist(deps: Deps, actor: User, request: PageRequest): Promise<Page<WaitlistEntry>> {
  const before = decodeCursor('waitlist', request.cursor, ['number'])?.[0];
  const { rows } = await deps.db.execute<{ entry: WaitlistEntry }>(sql`
    SELECT api_waitlist_entry(e) AS entry FROM waitlist_entries e
    WHERE e.user_id = ${actor.id} ${before === undefined ? sql`` : sql`AND e.id < ${before}`}
    ORDER BY e.id DESC LIMIT ${request.limit + 1}`);
  return toPage('waitlist', rows.map((r) => r.entry), request, (entry) => [entry.id]);
}
