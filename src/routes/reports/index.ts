// GET /reports (admin) and GET /user-reports (signed in): JSON by default, `?format=csv` for a download.
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { dayOf } from '../../redis/keys.ts';
import { csvStream, type CsvColumn } from '../../services/csv.ts';
import { buildAdminReport } from '../../services/reports/admin-report.ts';
import { lotColumns, lotPages } from '../../services/reports/lot-table.ts';
import { buildUserReport, historyPages, reservationColumns } from '../../services/reports/user-report.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors } from '../openapi.ts';
import { PaymentMethod, ReservationSchema } from '../schemas.ts';

const int = z.number().int();
const day = z.string().openapi({ format: 'date', example: '2025-01-31' });
const ByStatus = z.object({ reserved: int, parked: int, completed: int, cancelled: int });

const FormatQuery = z.object({
  format: z
    .enum(['json', 'csv'])
    .default('json')
    .openapi({ param: { name: 'format', in: 'query' }, description: '`csv` answers a `text/csv` download instead of JSON' }),
});

const LotReport = z
  .object({ lot_id: int, name: z.string(), capacity: int, available: int, reserved: int, occupied: int, completed_reservations: int, revenue_cents: int })
  .openapi('LotReport');

const Series = z.array(z.object({ day, value: int }));
const DailyMetrics = z
  .object({ logins: Series, registrations: Series, reservations: Series })
  .openapi('DailyMetrics', { description: 'The last 30 UTC days, oldest first: history from Postgres, the days not yet compacted from Redis.' });

const counts = z.record(z.string(), int);
const counter = (description?: string) => (description ? int.openapi({ description }) : int);
const LiveAnalytics = z.object({
  available: z.literal(true),
  total_api_calls: counter(),
  'api_calls:users:get': counter(),
  'api_calls:parking_lots:get': counter(),
  total_logins: counter(),
  total_logouts: counter(),
  total_registrations: counter(),
  users_created: counter(),
  users_deleted: counter(),
  parking_lots_created: counter(),
  parking_lots_deleted: counter(),
  total_reservations: counter(),
  reservations_cancelled: counter(),
  cache_hits: counter(),
  cache_misses: counter(),
  cache_hit_rate: z.number().nullable().openapi({ description: 'hits / (hits + misses); null before the first lookup' }),
  rate_limit_violations: counter(),
  active_users: counter('users with a live session'),
  response_codes: counts.openapi({ description: 'status → responses; statuses never answered are left out', example: { '200': 120, '404': 3 } }),
  endpoint_calls: counts.openapi({ description: 'route pattern → calls; routes never called are left out', example: { 'GET /parking-lots/:id': 42 } }),
  daily_metrics: DailyMetrics,
});
const NoAnalytics = z.object({ available: z.literal(false).openapi({ description: 'Redis is unreachable' }), daily_metrics: DailyMetrics });

const AdminReport = z
  .object({
    totals: z.object({ users: int, parking_lots: int, spots: int, reservations: ByStatus, revenue_cents: int.openapi({ description: 'of completed reservations, deleted lots included' }) }),
    lots: z.array(LotReport),
    daily: z
      .array(z.object({ day, reservations: int.openapi({ description: 'made that day' }), revenue_cents: int.openapi({ description: 'paid that day (at release)' }) }))
      .openapi({ description: 'The last 30 UTC days, today included, oldest first' }),
    payment_methods: z
      .array(z.object({ payment_method: PaymentMethod.nullable(), count: int, revenue_cents: int }))
      .openapi({ description: 'Completed reservations by payment method; always the four rows card, cash, upi, null (none given)' }),
    analytics: z.union([LiveAnalytics, NoAnalytics]),
  })
  .openapi('AdminReport');

const UserReport = z
  .object({
    reservations: ByStatus,
    minutes_parked: int.openapi({ description: 'completed stays, each max(1, ceil(seconds / 60)) as priced' }),
    spent_cents: int,
    per_lot: z.array(
      z.object({ lot_id: int.nullable(), name: z.string().nullable(), reservations: int, minutes_parked: int, spent_cents: int }).openapi({
        description: 'Reservations of lots deleted since are one row with lot_id and name null',
      }),
    ),
    recent: z.array(ReservationSchema).openapi({ description: 'The 20 newest, newest first' }),
  })
  .openapi('UserReport');

const csvContent = (columns: readonly CsvColumn<never>[]) => ({
  schema: z.string().openapi({
    description: 'RFC 4180 with CRLF line ends and a header row; text cells starting with = + - @ (or tab, CR) get a leading `\'`.',
    example: `${columns.map((c) => c.header).join(',')}\r\n`,
  }),
});

const reportRoute = defineRoute(
  {
    method: 'get',
    path: '/reports',
    tags: ['Reports'],
    summary: 'Totals, per-lot occupancy and revenue, per day, payment methods and the analytics (admin)',
    description: 'Still 200 when Redis is down: `analytics` is then `{available: false, daily_metrics}` with what Postgres holds. `?format=csv` downloads the per-lot table.',
    request: { query: FormatQuery },
    responses: {
      200: { description: 'The report, or the per-lot table as CSV', content: { 'application/json': { schema: AdminReport }, 'text/csv': csvContent(lotColumns) } },
      ...errors('validation_failed', 'unauthorized', 'forbidden'),
    },
  },
  { access: 'admin' },
);

const userReportRoute = defineRoute(
  {
    method: 'get',
    path: '/user-reports',
    tags: ['Reports'],
    summary: "The caller's own reservations: by status, minutes parked, money spent, per lot, recent",
    description: '`?format=csv` downloads all of the caller\'s reservations, newest first, one column per reservation field.',
    request: { query: FormatQuery },
    responses: {
      200: { description: 'The report, or the history as CSV', content: { 'application/json': { schema: UserReport }, 'text/csv': csvContent(reservationColumns) } },
      ...errors('validation_failed', 'unauthorized'),
    },
  },
  { access: 'signed-in' },
);

/** A CSV download; the first page is read before answering, so a database failure is still a 503. */
async function csvDownload<T>(c: Context<AppEnv>, name: string, columns: readonly CsvColumn<T>[], pages: AsyncIterator<readonly T[]>): Promise<Response> {
  const body = await csvStream(columns, pages);
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}-${dayOf(new Date())}.csv"`,
    'Cache-Control': 'no-store',
  });
}

export function registerReportRoutes(app: OpenAPIHono<AppEnv>): void {
  serve(app, reportRoute, async (c) => {
    const deps = c.var.deps;
    if (c.req.valid('query').format === 'csv') return csvDownload(c, 'parkedge-lots', lotColumns, lotPages(deps));
    return c.json(await buildAdminReport(deps), 200);
  });

  serve(app, userReportRoute, async (c) => {
    const deps = c.var.deps;
    const userId = currentUser(c).id;
    if (c.req.valid('query').format === 'csv') return csvDownload(c, 'parkedge-my-reservations', reservationColumns, historyPages(deps, userId));
    return c.json(await buildUserReport(deps, userId), 200);
  });
}
