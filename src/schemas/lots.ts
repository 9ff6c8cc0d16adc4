// A parking lot with its live availability, and one of its spots as the admin view shows it.
import { z } from 'zod';
import { Cents, Count, DbId, SpotStatus, Timestamp } from './fields.ts';

export const LotSchema = z
  .object({
    id: DbId,
    name: z.string(),
    address: z.string(),
    pin_code: z.string(),
    price_per_hour_cents: Cents,
    capacity: Count,
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    available_spots: Count,
    reserved_spots: Count,
    occupied_spots: Count,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'ParkingLot' });

export type Lot = z.infer<typeof LotSchema>;

export const SpotSchema = z
  .object({
    number: Count,
    status: SpotStatus,
    reservation_id: DbId.nullable(),
    user_id: DbId.nullable(),
    vehicle_plate: z.string().nullable(),
  })
  .meta({ id: 'Spot' });

export type Spot = z.infer<typeof SpotSchema>;
