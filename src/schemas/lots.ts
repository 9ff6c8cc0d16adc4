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
    held_spots: Count.meta({ description: 'held for the head of the waitlist while an offer runs; not available to bookings' }),
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
    waitlist_id: DbId.nullable().meta({ description: 'the waitlist entry a held spot is offered to' }),
    user_id: DbId.nullable().meta({ description: "the reservation's user, or the waiter's for a held spot" }),
    vehicle_plate: z.string().nullable(),
  })
  .meta({ id: 'Spot' });

export type Spot = z.infer<typeof SpotSchema>;

/** The largest radius of a search by distance: a driver's search of a city and its surroundings. */
export const MAX_SEARCH_RADIUS_KM = 50;

export const LotSort = z.enum(['distance', 'available']);
export type LotSort = z.infer<typeof LotSort>;

const decimal = String.raw`[+-]?\d+(?:\.\d+)?`;
const pair = new RegExp(`^\\s*(${decimal})\\s*,\\s*(${decimal})\\s*$`);

/** `<lat>,<lng>` in decimal degrees. */
const Near = z
  .string()
  .transform((text, ctx) => {
    const match = pair.exec(text);
    const [lat, lng] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    const problem = !match
      ? 'two decimal numbers, latitude and longitude in degrees, separated by a comma: 12.9716,77.5946'
      : Math.abs(lat) > 90
        ? 'the latitude (the first number) must be between -90 and 90'
        : Math.abs(lng) > 180
          ? 'the longitude (the second number) must be between -180 and 180'
          : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return { lat, lng };
  })
  .meta({
    param: { name: 'near', in: 'query' },
    // No `example`: the reference's try-it client would send it, turning its plain list into a search.
    description: 'Search by distance from this point: `<latitude>,<longitude>` in decimal degrees (`12.9716,77.5946`). Needs `radius_km`.',
  });

const RadiusKm = z
  .string()
  .regex(/^\s*\d+(?:\.\d+)?\s*$/, `a number of kilometres, 0 to ${MAX_SEARCH_RADIUS_KM}`)
  .transform(Number)
  .pipe(z.number().max(MAX_SEARCH_RADIUS_KM, `at most ${MAX_SEARCH_RADIUS_KM} km`))
  .meta({
    param: { name: 'radius_km', in: 'query' },
    description: `The search's radius in kilometres, 0 to ${MAX_SEARCH_RADIUS_KM}: lots at most this far from \`near\` (great-circle distance). Needs \`near\`.`,
  });

const Sort = LotSort.meta({
  param: { name: 'sort', in: 'query' },
  description:
    'The order of a search: `distance` (the default: nearest first, then by id) or `available` (most free spots first, then nearest, then by id). Only with `near`.',
});

/** The fields of a search by distance, checked together: `near` and `radius_km` come as a pair, `sort` only with them. */
export const LotSearchFields = { near: Near.optional(), radius_km: RadiusKm.optional(), sort: Sort.optional() };

export function checkSearchFields(query: { near?: unknown; radius_km?: unknown; sort?: unknown }, ctx: z.RefinementCtx): void {
  if (query.near === undefined && (query.radius_km !== undefined || query.sort !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['near'], message: `required with ${query.radius_km !== undefined ? 'radius_km' : 'sort'}: the point to search from` });
  }
  if (query.radius_km === undefined && (query.near !== undefined || query.sort !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['radius_km'], message: `required with ${query.near !== undefined ? 'near' : 'sort'}: how far to search` });
  }
}

export const NearbyLotSchema = LotSchema.extend({
  distance_m: z.number().min(0).meta({
    description:
      "Metres from `near`, to 0.1 mm (as Redis GEO gives it): between the centres of both points' 52-bit geohash cells, so within 1 m of the distance between the exact points.",
    example: 1234.5678,
  }),
}).meta({ id: 'NearbyParkingLot' });

export type NearbyLot = z.infer<typeof NearbyLotSchema>;
