// GET /parking-lots/:id/occupancy: the lot's occupancy hour by hour over a bounded range. Anonymous, as the lot
// itself and its live stream are: how full a lot tends to be is what a driver wants to know, and it says
// nothing about who parked. Not cached: ranges vary per caller, and each is at most 745 index probes.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../app-env.ts';
import { DEFAULT_OCCUPANCY_HOURS, MAX_OCCUPANCY_DAYS, OccupancyQuery, OccupancySchema, occupancyRange } from '../../schemas/occupancy.ts';
import { getOccupancy } from '../../services/lots/occupancy.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, IdParam, jsonResponse } from '../openapi.ts';

const occupancyRoute = defineRoute(
  {
    method: 'get',
    path: '/parking-lots/{id}/occupancy',
    tags: ['Parking lots'],
    summary: "The lot's occupancy hour by hour",
    description: [
      `Every UTC hour from the one holding \`from\` to the last one starting before \`to\` (ISO-8601 times; by default the last ${DEFAULT_OCCUPANCY_HOURS} hours up to now), at most ${MAX_OCCUPANCY_DAYS} days, oldest first: the fewest, the most and the average spots occupied (reserved or parked), and the capacity. The hour under way is averaged up to now; later hours are not answered, nor hours before the lot existed. History is kept 8 weeks.`,
      '',
      'A range that is reversed, empty or longer than the limit, or a time that is not ISO-8601 with a zone, is 422 naming the field.',
    ].join('\n'),
    request: { params: IdParam, query: OccupancyQuery },
    responses: {
      200: jsonResponse("The lot's hours", OccupancySchema),
      ...errors('validation_failed', 'unauthorized', 'not_found'),
    },
  },
  { access: 'anyone' },
);

export function registerOccupancyRoute(app: OpenAPIHono<AppEnv>): void {
  serve(app, occupancyRoute, async (c) => c.json(await getOccupancy(c.var.deps, c.req.valid('param').id, occupancyRange(c.req.valid('query'))), 200));
}
