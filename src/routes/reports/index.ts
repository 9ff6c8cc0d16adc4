// GET /reports (admin) and GET /user-reports (signed in): JSON by default, `?format=csv` for a download. The
// JSON carries one page of its list (the per-lot table, the history), `?limit=&cursor=` asks for another; the
// CSV streams every page of it, whatever `limit` and `cursor` say.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { dayOf } from '../../redis/keys.ts';
import { csvStream, type CsvColumn } from '../../services/csv.ts';
import { decodeCursor } from '../../services/pagination.ts';
import { buildAdminReport } from '../../services/reports/admin-report.ts';
import { lotColumns, lotPages, LOTS_LIST } from '../../services/reports/lot-table.ts';
import { buildUserReport, historyPages, PER_LOT_LIST, PER_LOT_PAGE, RECENT, RECENT_LIST, reservationColumns } from '../../services/reports/user-report.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors } from '../openapi.ts';
import { MAX_DB_ID } from '../../schemas/fields.ts';
import { DEFAULT_PAGE, PageQuery } from '../../schemas/pagination.ts';
import { AdminReportSchema, UserReportSchema } from '../../schemas/reports.ts';

/** The id a cursor of `list` holds, or undefined for none; only for a cursor the query schema accepted. */
const cursorId = (list: string, cursor: string | undefined) => decodeCursor(list, cursor, ['number'])?.[0] as number | undefined;

function holdsId(list: string, cursor: string | undefined): boolean {
  try {
    const id = cursorId(list, cursor);
    return id === undefined || (Number.isInteger(id) && id >= 0 && id <= MAX_DB_ID);
  } catch {
    return false;
  }
}

/**
 * `format`, and the page of the report's list: `limit` (1..500, `defaultLimit` when not given) and `cursor`. A
 * cursor of another list is refused here, with the other bad input, before the request costs anything.
 */
const reportQuery = (list: string, defaultLimit: number, what: string) =>
  z.object({
    format: z
      .enum(['json', 'csv'])
      .default('json')
      .meta({ param: { name: 'format', in: 'query' }, description: '`csv` answers a `text/csv` download of every page instead of JSON' }),
    limit: PageQuery.shape.limit
      .unwrap()
      .default(defaultLimit)
      .meta({ param: { name: 'limit', in: 'query' }, description: `${what} per page of the JSON, 1 to 500; ${defaultLimit} when not given.` }),
    cursor: PageQuery.shape.cursor
      .refine((cursor) => holdsId(list, cursor), 'not a cursor of this list: pass a next_cursor as it was given')
      .meta({ param: { name: 'cursor', in: 'query' }, description: `The previous answer's \`${list === LOTS_LIST ? 'lots' : 'recent'}_next_cursor\`; none for the first page.` }),
  });

// `per_lot` pages too: a fleet account may have used every lot there is (bench:scale).
const userReportQuery = reportQuery(RECENT_LIST, RECENT, 'Reservations').extend({
  per_lot_cursor: PageQuery.shape.cursor
    .refine((cursor) => holdsId(PER_LOT_LIST, cursor), 'not a cursor of this list: pass a next_cursor as it was given')
    .meta({ param: { name: 'per_lot_cursor', in: 'query' }, description: `The previous answer's \`per_lot_next_cursor\`: the next ${PER_LOT_PAGE} lots of \`per_lot\`; none for the first page.` }),
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
    description:
      'Still 200 when Redis is down: `analytics` is then `{available: false, daily_metrics}` with what Postgres holds. `lots` is one page of the per-lot table (`limit`, `cursor`, `lots_next_cursor`); `?format=csv` downloads all of it.',
    request: { query: reportQuery(LOTS_LIST, DEFAULT_PAGE, 'Lots') },
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
    description:
      "`recent` is one page of the caller's reservations, newest first (`limit`, `cursor`, `recent_next_cursor`); `per_lot` one page of the lots they used, by id (`per_lot_cursor`, `per_lot_next_cursor`); the totals count every reservation on every page. `?format=csv` downloads all of the reservations, one column per reservation field.",
    request: { query: userReportQuery },
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
    const { format, limit, cursor } = c.req.valid('query');
    if (format === 'csv') return csvDownload(c, 'parkedge-lots', lotColumns, lotPages(deps));
    return c.json(await buildAdminReport(deps, c.var.endpoints, { limit, after: cursorId(LOTS_LIST, cursor) ?? 0 }), 200);
  });

  serve(app, userReportRoute, async (c) => {
    const deps = c.var.deps;
    const userId = currentUser(c).id;
    const { format, limit, cursor, per_lot_cursor } = c.req.valid('query');
    if (format === 'csv') return csvDownload(c, 'parkedge-my-reservations', reservationColumns, historyPages(deps, userId));
    const page = { limit, before: cursorId(RECENT_LIST, cursor) ?? null };
    return c.json(await buildUserReport(deps, userId, page, cursorId(PER_LOT_LIST, per_lot_cursor) ?? 0), 200);
  });
}
