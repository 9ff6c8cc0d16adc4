// GET /reports (admin) and GET /user-reports (the caller's own).
import { z } from 'zod';
import { AnalyticsSchema, DailyMetricsSchema } from './analytics.ts';
import { Cents, Count, DbId, Day, PaymentMethod } from './fields.ts';
import { ReservationSchema } from './reservations.ts';

const NextCursor = z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' });

const ByStatus = z.object({ reserved: Count, parked: Count, completed: Count, cancelled: Count });

export const LotReportSchema = z
  .object({ lot_id: DbId, name: z.string(), capacity: Count, available: Count, reserved: Count, occupied: Count, held: Count.meta({ description: 'spots held for the head of the waitlist' }), completed_reservations: Count, revenue_cents: Cents })
  .meta({ id: 'LotReport' });

export type LotReport = z.infer<typeof LotReportSchema>;

const LiveAnalytics = AnalyticsSchema.extend({ available: z.literal(true), daily_metrics: DailyMetricsSchema });
const NoAnalytics = z.object({ available: z.literal(false).meta({ description: 'Redis is unreachable' }), daily_metrics: DailyMetricsSchema });

export const AdminReportSchema = z
  .object({
    totals: z.object({ users: Count, parking_lots: Count, spots: Count, reservations: ByStatus, revenue_cents: Cents.meta({ description: 'of completed reservations, deleted lots included' }) }),
    lots: z.array(LotReportSchema).meta({ description: 'One page of the lots, in id order: the first unless `cursor` is given; `limit` lots (100 by default)' }),
    lots_next_cursor: NextCursor,
    daily: z
      .array(z.object({ day: Day, reservations: Count.meta({ description: 'made that day' }), revenue_cents: Cents.meta({ description: 'paid that day (at release)' }) }))
      .meta({ description: 'The last 30 UTC days, today included, oldest first' }),
    payment_methods: z
      .array(z.object({ payment_method: PaymentMethod.nullable(), count: Count, revenue_cents: Cents }))
      .meta({ description: 'Completed reservations by payment method; always the four rows card, cash, upi, null (none given)' }),
    analytics: z.discriminatedUnion('available', [LiveAnalytics, NoAnalytics]),
  })
  .meta({ id: 'AdminReport' });

export type AdminReport = z.infer<typeof AdminReportSchema>;

export const UserReportSchema = z
  .object({
    reservations: ByStatus,
    minutes_parked: Count.meta({ description: 'completed stays, each max(1, ceil(seconds / 60)) as priced' }),
    spent_cents: Cents,
    per_lot: z.array(
      z.object({ lot_id: DbId.nullable(), name: z.string().nullable(), reservations: Count, minutes_parked: Count, spent_cents: Cents }).meta({
        description: 'Reservations of lots deleted since are one row with lot_id and name null',
      }),
    ).meta({ description: 'One page of the lots the caller used, by lot id (100; `per_lot_cursor` asks for another), the deleted lots\' row last' }),
    per_lot_next_cursor: NextCursor.meta({ description: 'Pass as `per_lot_cursor` for the next page of `per_lot`; null on the last page.' }),
    recent: z.array(ReservationSchema).meta({ description: 'One page of the history, newest first: the 20 newest unless `cursor` or `limit` say otherwise' }),
    recent_next_cursor: NextCursor,
  })
  .meta({ id: 'UserReport' });

export type UserReport = z.infer<typeof UserReportSchema>;
