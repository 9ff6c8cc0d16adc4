// The waitlists of full lots (schema.ts re-exports this file, so drizzle-kit and the client see it). The queue
// order is the entry id. Handing a freed spot to the head of the queue, and passing a lapsed or dropped offer on,
// are SQL triggers in the migration (waitlist_hand_over, waitlist_release_holds), in the statement that frees
// the spot: no code path can free a spot and forget the queue.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgEnum, pgTable, serial, smallint, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { moment } from './columns.ts';
import { parkingLots, reservations, spots, users } from './schema.ts';

/**
 * waiting → offered (a spot is held for it until offer_expires_at) → accepted (a reservation was made), or
 * offered → lapsed (not accepted in time; the spot went to the next). Leaving the queue deletes the entry.
 */
export const waitlistStatus = pgEnum('waitlist_status', ['waiting', 'offered', 'accepted', 'lapsed']);


export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: serial('id').primaryKey(),
    lotId: integer('lot_id')
      .notNull()
      .references(() => parkingLots.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    vehiclePlate: text('vehicle_plate').notNull(),
    status: waitlistStatus('status').notNull().default('waiting'),
    /** How long an offer to this entry is held: WAITLIST_HOLD_SECONDS when it joined (the trigger cannot read the Worker's settings). */
    holdSeconds: integer('hold_seconds').notNull(),
    joinedAt: moment('joined_at').notNull().defaultNow(),
    /** The held spot while offered; the reserved one once accepted. */
    spotId: integer('spot_id').references(() => spots.id, { onDelete: 'set null' }),
    spotNumber: smallint('spot_number'),
    offeredAt: moment('offered_at'),
    offerExpiresAt: moment('offer_expires_at'),
    /** The lot's availability version of the transaction that made the offer: the live stream tells it with that version. */
    offerVersion: bigint('offer_version', { mode: 'number' }),
    reservationId: integer('reservation_id').references(() => reservations.id, { onDelete: 'set null' }),
  },
  (t) => [
    // The queue of a lot, in order; and the offers of a lot (the alarm's next deadline, the live stream's offers).
    index('waitlist_entries_lot_status_id_idx').on(t.lotId, t.status, t.id),
    // A caller's entries, newest first: GET /waitlist pages.
    index('waitlist_entries_user_id_id_idx').on(t.userId, t.id.desc().nullsFirst()),
    // One vehicle waits in one queue at a time; one spot is held for one entry.
    uniqueIndex('waitlist_entries_one_per_plate').on(t.vehiclePlate).where(sql`${t.status} IN ('waiting', 'offered')`),
    uniqueIndex('waitlist_entries_one_offer_per_spot').on(t.spotId).where(sql`${t.status} = 'offered'`),
    check('waitlist_entries_hold_seconds_range', sql`${t.holdSeconds} BETWEEN 1 AND 86400`),
    check(
      'waitlist_entries_state_fields',
      sql`(${t.status} = 'waiting' AND ${t.spotId} IS NULL AND ${t.offerExpiresAt} IS NULL)
        OR (${t.status} = 'offered' AND ${t.spotId} IS NOT NULL AND ${t.offerExpiresAt} IS NOT NULL)
        OR (${t.status} = 'accepted' AND ${t.offerExpiresAt} IS NOT NULL)
        OR (${t.status} = 'lapsed' AND ${t.offerExpiresAt} IS NOT NULL)`,
    ),
  ],
);
