// The fields the API's shapes are made of. The schemas under src/schemas/ are the one source of every shape:
// routes validate and document with them (zod-to-openapi reads their `.meta()`), services take their types
// from them (`z.infer`), and the tests parse every response against them. No Hono import here.
import { z } from 'zod';

/** Ids are PostgreSQL `integer` columns. */
export const MAX_DB_ID = 2_147_483_647;
export const DbId = z.number().int().positive().max(MAX_DB_ID).meta({ example: 7 });
/** An id as it comes in a path or a query string. */
export const DbIdText = z.coerce.number().int().positive().max(MAX_DB_ID);

export const Count = z.number().int().min(0);
export const Cents = z.number().int();
export const Timestamp = z.string().meta({ format: 'date-time' });
export const Day = z.string().meta({ format: 'date', example: '2025-01-31' });

/** Text a person typed: no control characters (PostgreSQL refuses NUL; the others are never meant). */
export const Text = z.string().regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'control characters are not allowed');

/** Stored lower-cased: one account per address, whatever its case. */
export const Email = z.email().max(254).toLowerCase().meta({ example: 'driver@example.com' });
export const Password = z.string().min(8).max(128).meta({ example: 'correct-horse-battery' });
export const Name = Text.trim().min(1).max(100).meta({ example: 'Asha Rao' });

/** Spaces and hyphens are allowed and dropped; letters are upper-cased: `ka-01 ab 1234` is `KA01AB1234`. */
export const Plate = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]$/, 'a plate has 2 to 20 letters, digits, spaces or hyphens')
  .transform((plate) => plate.toUpperCase().replace(/[\s-]+/g, ''))
  .meta({ example: 'KA01AB1234' });

export const Role = z.enum(['user', 'admin']);
export type Role = z.infer<typeof Role>;
export const ReservationStatus = z.enum(['reserved', 'parked', 'completed', 'cancelled']);
export type ReservationStatus = z.infer<typeof ReservationStatus>;
export const PaymentMethod = z.enum(['card', 'cash', 'upi']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;
/** `held`: kept for the head of the lot's waitlist while its offer runs (not available to bookings). */
export const SpotStatus = z.enum(['available', 'reserved', 'occupied', 'held']);
export const WaitlistStatus = z.enum(['waiting', 'offered', 'accepted', 'lapsed']);
export type WaitlistStatus = z.infer<typeof WaitlistStatus>;

