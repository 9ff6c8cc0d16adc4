// The report aggregates (migration 0010): sums that statement triggers keep in step with the tables they
// count, in the statement that changes them. Part of the schema (schema.ts re-exports it, so drizzle-kit and the
// client see these tables); the triggers and their functions are SQL in the migration.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, integer, pgTable, primaryKey, smallint } from 'drizzle-orm/pg-core';

/**
 * The report aggregates: what the reservations did, summed, kept by statement triggers on `reservations`
 * (migration 0010, reservation_stats_maintain) in the statement that changes them, so they are exact at every
 * commit whatever wrote the rows. A reservation counts as events on UTC days: `booked` on the day it was made,
 * `parked` on the day its stay started (once parked, also when completed), and on the day it was released
 * either `completed` (with its minutes and cost) or `cancelled`. Running states follow: reserved = booked -
 * parked - cancelled, parked now = parked - completed. A lot or user id that is gone is 0 here, as the
 * reservation's own is null (ON DELETE SET NULL moves its events to 0 in the same statement).
 */
const reservationStats = () => ({
  booked: integer('booked').notNull().default(0),
  parked: integer('parked').notNull().default(0),
  cancelled: integer('cancelled').notNull().default(0),
  completed: integer('completed').notNull().default(0),
  minutesParked: bigint('minutes_parked', { mode: 'number' }).notNull().default(0),
  revenueCents: bigint('revenue_cents', { mode: 'number' }).notNull().default(0),
});

/**
 * Per UTC day, every lot together: the daily series, and summed over all days the totals and payment methods.
 * Every write of the day adds to a row of the day, and a row stays locked until its writer's commit is flushed:
 * with one row a day every writer of the city would queue on it. So a day has up to 16 rows (slots) and a
 * transaction writes to the one its id picks (bench:report-writes measures the difference).
 */
export const reservationStatsByDay = pgTable(
  'reservation_stats_by_day',
  {
    day: date('day', { mode: 'string' }).notNull(),
    slot: smallint('slot').notNull(),
    ...reservationStats(),
    // Completed stays paid by each method; those paid by none are `completed` minus these.
    completedCard: integer('completed_card').notNull().default(0),
    completedCash: integer('completed_cash').notNull().default(0),
    completedUpi: integer('completed_upi').notNull().default(0),
    revenueCardCents: bigint('revenue_card_cents', { mode: 'number' }).notNull().default(0),
    revenueCashCents: bigint('revenue_cash_cents', { mode: 'number' }).notNull().default(0),
    revenueUpiCents: bigint('revenue_upi_cents', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.slot] }), check('reservation_stats_by_day_slot_range', sql`${t.slot} BETWEEN 0 AND 15`)],
);

/** Per lot, all time: the per-lot table. No foreign key: lot 0 holds the reservations of deleted lots. */
export const reservationStatsByLot = pgTable('reservation_stats_by_lot', {
  lotId: integer('lot_id').primaryKey(),
  ...reservationStats(),
});

/** Per user and lot, all time: /user-reports. A user's rows are one index range. */
export const reservationStatsByUserLot = pgTable(
  'reservation_stats_by_user_lot',
  {
    userId: integer('user_id').notNull(),
    lotId: integer('lot_id').notNull(),
    ...reservationStats(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.lotId] })],
);

/** The number of users, lots and spots, kept by statement triggers on their tables (migration 0010): one row. */
export const rowCounts = pgTable(
  'row_counts',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    users: bigint('users', { mode: 'number' }).notNull().default(0),
    parkingLots: bigint('parking_lots', { mode: 'number' }).notNull().default(0),
    spots: bigint('spots', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('row_counts_one_row', sql`${t.singleton}`)],
);
