// The database schema. The database itself refuses what must never happen (two active reservations on one
// spot or for one plate, prices out of range, capacities under 1, unknown states), whatever the code above it does.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  doublePrecision,
  index,
  integer,
  json,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { moment } from './columns.ts';

export const userRole = pgEnum('user_role', ['user', 'admin']);
// `held`: kept for the head of a lot's waitlist while its offer runs (no booking takes it; not available).
export const spotStatus = pgEnum('spot_status', ['available', 'reserved', 'occupied', 'held']);
export const reservationStatus = pgEnum('reservation_status', ['reserved', 'parked', 'completed', 'cancelled']);
export const paymentMethod = pgEnum('payment_method', ['card', 'cash', 'upi']);

/**
 * The highest price a lot may charge: 10 000.00 an hour in the lot's currency. Costs are bigint, and at this
 * price a stay of 100 years costs 8.8 × 10^11 cents: no stay overflows, and every amount stays far inside the
 * integers a JSON number carries exactly to JavaScript (2^53 ≈ 9 × 10^15).
 */
export const MAX_PRICE_PER_HOUR_CENTS = 1_000_000;


export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    vehiclePlate: text('vehicle_plate'),
    role: userRole('role').notNull().default('user'),
    createdAt: moment('created_at').notNull().defaultNow(),
    updatedAt: moment('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    check('users_email_shape', sql`${t.email} LIKE '%_@_%'`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: moment('created_at').notNull().defaultNow(),
    expiresAt: moment('expires_at').notNull(),
    revokedAt: moment('revoked_at'),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

export const parkingLots = pgTable(
  'parking_lots',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    address: text('address').notNull(),
    pinCode: text('pin_code').notNull(),
    pricePerHourCents: integer('price_per_hour_cents').notNull(),
    capacity: integer('capacity').notNull(),
    /**
     * Raised by a trigger in every statement that changes the state of one of the lot's spots (migration 0012):
     * the live stream's event version, and the order in which the lot's cache entry is written through.
     */
    availabilityVersion: bigint('availability_version', { mode: 'number' }).notNull().default(0),
    /** The transaction that last raised the version: it is raised once per transaction (migration of the waitlist). */
    availabilityXact: bigint('availability_xact', { mode: 'number' }),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    createdAt: moment('created_at').notNull().defaultNow(),
    updatedAt: moment('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('parking_lots_price_range', sql`${t.pricePerHourCents} BETWEEN 0 AND ${sql.raw(String(MAX_PRICE_PER_HOUR_CENTS))}`),
    check('parking_lots_capacity_range', sql`${t.capacity} BETWEEN 1 AND 5000`),
    check('parking_lots_latitude_range', sql`${t.latitude} BETWEEN -90 AND 90`),
    check('parking_lots_longitude_range', sql`${t.longitude} BETWEEN -180 AND 180`),
    // The geo search without Redis (services/lots/geo-sql.ts): a latitude band, then longitude ranges, then
    // the exact distance. Only lots with both coordinates can be found.
    index('parking_lots_position_idx')
      .on(t.latitude, t.longitude)
      .where(sql`${t.latitude} IS NOT NULL AND ${t.longitude} IS NOT NULL`),
  ],
);

export const spots = pgTable(
  'spots',
  {
    id: serial('id').primaryKey(),
    lotId: integer('lot_id')
      .notNull()
      .references(() => parkingLots.id, { onDelete: 'cascade' }),
    number: smallint('number').notNull(),
    status: spotStatus('status').notNull().default('available'),
  },
  (t) => [
    uniqueIndex('spots_lot_number_unique').on(t.lotId, t.number),
    check('spots_number_positive', sql`${t.number} >= 1`),
  ],
);

export const reservations = pgTable(
  'reservations',
  {
    id: serial('id').primaryKey(),
    // History outlives its user and its lot: revenue reports keep counting it.
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    lotId: integer('lot_id').references(() => parkingLots.id, { onDelete: 'set null' }),
    spotId: integer('spot_id').references(() => spots.id, { onDelete: 'set null' }),
    spotNumber: smallint('spot_number').notNull(),
    vehiclePlate: text('vehicle_plate').notNull(),
    status: reservationStatus('status').notNull().default('reserved'),
    reservedAt: moment('reserved_at').notNull().defaultNow(),
    parkedAt: moment('parked_at'),
    releasedAt: moment('released_at'),
    pricePerHourCents: integer('price_per_hour_cents').notNull(),
    costCents: bigint('cost_cents', { mode: 'number' }),
    paymentMethod: paymentMethod('payment_method'),
  },
  (t) => [
    uniqueIndex('reservations_one_active_per_spot')
      .on(t.spotId)
      .where(sql`${t.status} IN ('reserved', 'parked')`),
    uniqueIndex('reservations_one_active_per_plate')
      .on(t.vehiclePlate)
      .where(sql`${t.status} IN ('reserved', 'parked')`),
    // Keyset pages of a user's, a lot's or a status's reservations, newest first: each page an index range.
    // `id DESC` with nulls first, as `ORDER BY id DESC` sorts (id is never null, but the planner matches the
    // null order too), which is also the order of the primary key read backwards: every list by id, newest
    // first, filtered or not, is an index range.
    index('reservations_user_id_id_idx').on(t.userId, t.id.desc().nullsFirst()),
    index('reservations_lot_id_id_idx').on(t.lotId, t.id.desc().nullsFirst()),
    index('reservations_status_id_idx').on(t.status, t.id.desc().nullsFirst()),
    index('reservations_reserved_at_idx').on(t.reservedAt),
    check('reservations_price_not_negative', sql`${t.pricePerHourCents} >= 0`),
    check('reservations_cost_not_negative', sql`${t.costCents} >= 0`),
    check(
      'reservations_state_timestamps',
      sql`(${t.status} = 'reserved' AND ${t.parkedAt} IS NULL AND ${t.releasedAt} IS NULL)
        OR (${t.status} = 'parked' AND ${t.parkedAt} IS NOT NULL AND ${t.releasedAt} IS NULL)
        OR (${t.status} = 'completed' AND ${t.parkedAt} IS NOT NULL AND ${t.releasedAt} IS NOT NULL AND ${t.costCents} IS NOT NULL)
        OR (${t.status} = 'cancelled' AND ${t.parkedAt} IS NULL AND ${t.releasedAt} IS NOT NULL)`,
    ),
  ],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: smallint('response_status'),
    // json, not jsonb: the stored answer is replayed byte for byte.
    responseBody: json('response_body'),
    createdAt: moment('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_created_at_idx').on(t.createdAt)],
);

// The rest, a file per concern: what the daily job and the cache reconciliation keep, the report aggregates
// (migration 0010), a lot's occupancy by the hour (0013), webhooks (0014) and the waitlist (0015).
export * from './jobs-schema.ts';
export * from './report-stats.ts';
export * from './occupancy.ts';
export * from './webhooks-schema.ts';
export * from './waitlist.ts';
