// GET /reports (admin) and GET /user-reports (signed in): JSON by default, `?format=csv` for a download.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
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
import { AdminReportSchema, UserReportSchema } from '../../schemas/reports.ts';

const FormatQuery = z.object({
  format: z
    .enum(['json', 'csv'])
    .default('json')
    .meta({ param: { name: 'format', in: 'query' }, description: '`csv` answers a `text/csv` download instead of JSON' }),
});

const csvContent = (columns: readonly CsvColumn<never>[]) => ({
  schema: z.string().meta({
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
      200: { description: 'The report, or the per-lot table as CSV', content: { 'application/json': { schema: AdminReportSchema }, 'text/csv': csvContent(lotColumns) } },
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
      200: { description: 'The report, or the history as CSV', content: { 'application/json': { schema: UserReportSchema }, 'text/csv': csvContent(reservationColumns) } },
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
    return c.json(await buildAdminReport(deps, c.var.endpoints), 200);
  });

  serve(app, userReportRoute, async (c) => {
    const deps = c.var.deps;
    const userId = currentUser(c).id;
    if (c.req.valid('query').format === 'csv') return csvDownload(c, 'parkedge-my-reservations', reservationColumns, historyPages(deps, userId));
    return c.json(await buildUserReport(deps, userId), 200);
  });
}
