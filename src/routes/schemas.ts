// The request and response schemas shared by several routes; they validate input and document the API.
import { z } from '@hono/zod-openapi';

/** Text a person typed: no control characters (PostgreSQL refuses NUL; the others are never meant). */
export const Text = z.string().regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'control characters are not allowed');

export const Email = z.email().max(254).openapi({ example: 'driver@example.com' });
export const Password = z.string().min(8).max(128).openapi({ example: 'correct-horse-battery' });
export const Name = Text.trim().min(1).max(100).openapi({ example: 'Asha Rao' });
/** Spaces and hyphens are allowed and dropped; letters are upper-cased: `ka-01 ab 1234` is `KA01AB1234`. */
export const Plate = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]$/, 'a plate has 2 to 20 letters, digits, spaces or hyphens')
  .openapi({ example: 'KA01AB1234' });
export const Role = z.enum(['user', 'admin']);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normalizePlate(plate: string): string;
export function normalizePlate(plate: string | null | undefined): string | null | undefined;
export function normalizePlate(plate: string | null | undefined): string | null | undefined {
  return typeof plate === 'string' ? plate.toUpperCase().replace(/[\s-]+/g, '') : plate;
}

export const UserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    vehicle_plate: z.string().nullable(),
    role: Role,
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User');

export const SessionSchema = z
  .object({
    user: UserSchema,
    token: z.string().openapi({ description: 'Send as `Authorization: Bearer <token>`; valid 12 hours.' }),
    expires_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Session');

export const ReservationStatus = z.enum(['reserved', 'parked', 'completed', 'cancelled']);
export const PaymentMethod = z.enum(['card', 'cash', 'upi']);

export const ReservationSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int().nullable().openapi({ description: 'null once the user has been deleted' }),
    lot_id: z.number().int().nullable().openapi({ description: 'null once the lot has been deleted' }),
    spot_number: z.number().int(),
    vehicle_plate: z.string(),
    status: ReservationStatus,
    reserved_at: z.string().openapi({ format: 'date-time' }),
    parked_at: z.string().nullable().openapi({ format: 'date-time' }),
    released_at: z.string().nullable().openapi({ format: 'date-time', description: 'when the spot was given back: on release or on cancellation' }),
    price_per_hour_cents: z.number().int().openapi({ description: "the lot's price when the reservation was made" }),
    cost_cents: z.number().int().nullable(),
    payment_method: PaymentMethod.nullable(),
  })
  .openapi('Reservation');

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

export const listOf = <T extends z.ZodType>(schema: T) => z.object({ data: z.array(schema) });
