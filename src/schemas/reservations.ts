// A reservation as the API shows it: built in SQL by api_reservation() (migrations/0002), so a replay of a
// stored Idempotency-Key answer is byte for byte the first answer; this schema describes and checks it.
import { z } from 'zod';
import { Cents, Count, DbId, PaymentMethod, ReservationStatus, Timestamp } from './fields.ts';

export const ReservationSchema = z
  .object({
    id: DbId,
    user_id: DbId.nullable().meta({ description: 'null once the user has been deleted' }),
    lot_id: DbId.nullable().meta({ description: 'null once the lot has been deleted' }),
    spot_number: Count,
    vehicle_plate: z.string(),
    status: ReservationStatus,
    reserved_at: Timestamp,
    parked_at: Timestamp.nullable(),
    released_at: Timestamp.nullable().meta({ description: 'when the spot was given back: on release or on cancellation' }),
    price_per_hour_cents: Cents.meta({ description: "the lot's price when the reservation was made" }),
    cost_cents: Cents.nullable().meta({ description: 'set on release: ceil(price per hour × minutes / 60), minutes = max(1, ceil(seconds parked / 60))' }),
    payment_method: PaymentMethod.nullable(),
  })
  .meta({ id: 'Reservation' });

export type Reservation = z.infer<typeof ReservationSchema>;
