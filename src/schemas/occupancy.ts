// A lot's occupancy hour by hour, and its forecast of free spots. "Occupied" is every spot that is not free
// (reserved or parked): free = capacity - occupied.
import { z } from 'zod';
import { Count, DbId, Timestamp } from './fields.ts';
import { LotSchema } from './lots.ts';

/** The longest range one request may ask for: a month of hours (744 points). */
export const MAX_OCCUPANCY_DAYS = 31;
export const DEFAULT_OCCUPANCY_HOURS = 24;
const HOUR_MS = 3_600_000;

const Moment = z.iso.datetime({ offset: true, message: 'an ISO-8601 time with its zone: 2026-12-01T09:00:00Z' });

export const OccupancyQuery = z
  .object({
    from: Moment.optional().meta({
      param: { name: 'from', in: 'query' },
      description: `The range's start (the hour holding it is the first one answered). By default ${DEFAULT_OCCUPANCY_HOURS} hours before \`to\`.`,
      example: '2026-12-01T00:00:00Z',
    }),
    to: Moment.optional().meta({
      param: { name: 'to', in: 'query' },
      description: `The range's end, not included; by default now. At most ${MAX_OCCUPANCY_DAYS} days after \`from\`.`,
      example: '2026-12-02T00:00:00Z',
    }),
  })
  .superRefine((query, ctx) => {
    const { from, to } = occupancyRange(query);
    if (from >= to) {
      const path = query.to === undefined ? 'from' : 'to';
      ctx.addIssue({ code: 'custom', path: [path], message: path === 'to' ? 'must be later than from' : 'must be earlier than now (to, by default)' });
    } else if (to - from > MAX_OCCUPANCY_DAYS * 24 * HOUR_MS) {
      ctx.addIssue({ code: 'custom', path: [query.to === undefined ? 'from' : 'to'], message: `the range is at most ${MAX_OCCUPANCY_DAYS} days` });
    }
  });

/** The range a query asks for, in ms, its defaults filled in. */
export function occupancyRange(query: { from?: string | undefined; to?: string | undefined }, now = Date.now()): { from: number; to: number } {
  const to = query.to === undefined ? now : Date.parse(query.to);
  const from = query.from === undefined ? to - DEFAULT_OCCUPANCY_HOURS * HOUR_MS : Date.parse(query.from);
  return { from, to };
}

export const OccupancyHourSchema = z
  .object({
    hour: Timestamp.meta({ description: 'The start of the UTC hour.' }),
    capacity: Count.meta({ description: 'Spots the lot had at the end of the hour (or now, for the hour under way).' }),
    min_occupied: Count.meta({ description: 'The fewest spots occupied (reserved or parked) at any moment of the hour.' }),
    max_occupied: Count.meta({ description: 'The most spots occupied at any moment of the hour.' }),
    avg_occupied: z.number().min(0).meta({ description: 'Spots occupied on average over the hour (so far, for the hour under way), to 2 decimals.', example: 12.5 }),
  })
  .meta({ id: 'OccupancyHour' });

export const OccupancySchema = z
  .object({
    lot_id: DbId,
    from: Timestamp,
    to: Timestamp,
    hours: z.array(OccupancyHourSchema).meta({
      description: 'Every hour of the range, oldest first, from the first the lot existed in (or the oldest kept: 8 weeks) up to the one under way; none in the future.',
    }),
  })
  .meta({ id: 'LotOccupancy' });

export type Occupancy = z.infer<typeof OccupancySchema>;
export type OccupancyHour = z.infer<typeof OccupancyHourSchema>;

/** How many past weeks a forecast looks at: the history kept. */
export const FORECAST_WEEKS = 8;
/** The history answered: 8 weeks of hours (the daily job keeps a day more, see jobs/prune-occupancy.ts). */
export const OCCUPANCY_KEPT_DAYS = FORECAST_WEEKS * 7;
/** The hours ahead a forecast gives. */
export const FORECAST_HOURS = [1, 2, 3] as const;

export const ForecastHourSchema = z
  .object({
    in_hours: z.number().int().min(1).max(3).meta({ description: 'How many hours ahead.' }),
    hour: Timestamp.meta({ description: 'The UTC hour forecast (the one that holds now + `in_hours`).' }),
    available_spots: Count.nullable().meta({
      description:
        "Likely free spots then: the lot's capacity less the share of it occupied on average in the same hour of the same weekday over the past weeks (UTC). Null when none of those weeks has history.",
    }),
    weeks: z.number().int().min(0).max(FORECAST_WEEKS).meta({ description: `How many past weeks (of the last ${FORECAST_WEEKS}) the figure rests on.` }),
  })
  .meta({ id: 'ForecastHour' });

export const ForecastSchema = z
  .object({ hours: z.array(ForecastHourSchema).length(FORECAST_HOURS.length) })
  .nullable()
  .meta({ id: 'LotForecast', description: 'Null while the lot has no history (a lot younger than a week).' });

export type Forecast = z.infer<typeof ForecastSchema>;

export const LotWithForecastSchema = LotSchema.extend({ forecast: ForecastSchema }).meta({ id: 'ParkingLotWithForecast' });
export type LotWithForecast = z.infer<typeof LotWithForecastSchema>;
