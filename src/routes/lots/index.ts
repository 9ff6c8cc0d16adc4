// GET/POST /parking-lots, GET/PATCH/DELETE /parking-lots/:id, GET /parking-lots/:id/spots.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { keys } from '../../redis/keys.ts';
import { createLot, deleteLot, listLots, listSpots, MAX_PRICE_PER_HOUR_CENTS, updateLot } from '../../services/lots/lots-service.ts';
import { searchLots, startSearch, type NearQuery } from '../../services/lots/geo-search.ts';
import { defineRoute, serve } from '../define-route.ts';
import { registerLiveRoute } from './live.ts';
import { registerOccupancyRoute } from './occupancy.ts';
import { getLotWithForecast } from '../../services/lots/occupancy.ts';
import { LotWithForecastSchema } from '../../schemas/occupancy.ts';
import { Text } from '../../schemas/fields.ts';
import { DEFAULT_PAGE, PageQuery, pageOf, type PageRequest } from '../../schemas/pagination.ts';
import { isFirstPage } from '../../services/pagination.ts';
import { checkSearchFields, LotSchema, LotSearchFields, MAX_SEARCH_RADIUS_KM, NearbyLotSchema, SpotSchema } from '../../schemas/lots.ts';
import { errors, IdParam, jsonBody, jsonResponse } from '../openapi.ts';

const LotFields = {
  name: Text.trim().min(1).max(120).meta({ example: 'MG Road Central' }),
  address: Text.trim().min(1).max(300).meta({ example: '12 MG Road, Bengaluru' }),
  pin_code: z.string().trim().regex(/^[A-Za-z0-9 -]{3,10}$/, 'a postal code of 3 to 10 letters, digits, spaces or hyphens').meta({ example: '560001' }),
  price_per_hour_cents: z.number().int().min(0).max(MAX_PRICE_PER_HOUR_CENTS).meta({
    example: 4000,
    description: `Cents per hour, 0 to ${MAX_PRICE_PER_HOUR_CENTS} (10 000.00 an hour in the lot's currency): what a parking lot can charge, and low enough that the cost of any stay, even of 100 years, is stored and returned exactly.`,
  }),
  capacity: z.number().int().min(1).max(5000).meta({ example: 120 }),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
};

const CreateLotBody = z.strictObject(LotFields).meta({ id: 'CreateParkingLotRequest' });
const UpdateLotBody = z
  .strictObject({
    name: LotFields.name.optional(),
    address: LotFields.address.optional(),
    pin_code: LotFields.pin_code.optional(),
    price_per_hour_cents: LotFields.price_per_hour_cents.optional(),
    capacity: LotFields.capacity.optional(),
    latitude: LotFields.latitude,
    longitude: LotFields.longitude,
  })
  .meta({ id: 'UpdateParkingLotRequest' });

const ListQuery = PageQuery.extend(LotSearchFields).superRefine(checkSearchFields);

const listRoute = defineRoute(
  {
    method: 'get',
    path: '/parking-lots',
    tags: ['Parking lots'],
    summary: 'The lots with live availability, a page at a time; or the lots near a point',
    description: [
      'Without `near`: every lot in id order. The first page at the default size is served from the cache (`parking_lots:all`).',
      '',
      `With \`near\` and \`radius_km\` (0 to ${MAX_SEARCH_RADIUS_KM}): the lots within that great-circle distance of the point, each with \`distance_m\`, nearest first (\`sort=distance\`, the default) or most free spots first (\`sort=available\`; ties nearest first, then by id). Lots without both coordinates never appear. Pages as for the list: \`limit\`, and \`cursor\` from \`next_cursor\` (a cursor belongs to its search: the same \`near\`, \`radius_km\` and \`sort\`). Availability is live. Redis answers from the lots' positions (\`parking_lots:geo\`) in one round trip; without Redis PostgreSQL gives the same answer.`,
    ].join('\n'),
    request: { query: ListQuery },
    responses: {
      200: jsonResponse('A page of lots (with `distance_m` in a search by `near`)', z.union([pageOf(NearbyLotSchema), pageOf(LotSchema)])),
      ...errors('validation_failed', 'unauthorized'),
    },
  },
  {
    access: 'anyone',
    prefetch: (c) => {
      const query = c.req.valid('query');
      return query.near === undefined && isFirstPage(query, DEFAULT_PAGE) ? [keys.lotsAll] : [];
    },
    early: (c) => {
      const { search, page } = listQuery(c.req.valid('query'));
      if (search) startSearch(c.var.deps, search, page);
    },
  },
);

/** A list query as a search by distance (or null: the plain list) and its page. */
function listQuery(query: z.infer<typeof ListQuery>): { search: NearQuery | null; page: PageRequest } {
  const { near, radius_km, sort, ...page } = query;
  return { search: near && radius_km !== undefined ? { near, radius_km, sort: sort ?? 'distance' } : null, page };
}

const getRoute = defineRoute(
  {
    method: 'get',
    path: '/parking-lots/{id}',
    tags: ['Parking lots'],
    summary: 'One lot with live availability and a forecast of its free spots',
    description: [
      'The lot as the list shows it, and `forecast`: the likely free spots in 1, 2 and 3 hours, from the same hour of the same weekday (UTC) over the past 8 weeks, each with how many weeks it rests on; null while the lot has no history.',
      '',
      "Both come from the cache when they can, in the request's one Redis round trip: the lot's entry (`parking_lot:{id}`, exact: every write settles it) and the forecast's (`lot_forecast:{id}`, until the hour ends, at most 15 minutes). The forecast is kept as shares of the capacity, so a capacity change shows at once.",
    ].join('\n'),
    request: { params: IdParam },
    responses: { 200: jsonResponse('The lot', LotWithForecastSchema), ...errors('validation_failed', 'unauthorized', 'not_found') },
  },
  { access: 'anyone', prefetch: (c) => [keys.lot(c.req.valid('param').id), keys.lotForecast(c.req.valid('param').id)] },
);

const createLotRoute = defineRoute(
  {
    method: 'post',
    path: '/parking-lots',
    tags: ['Parking lots'],
    summary: 'Create a lot with spots 1..capacity (admin)',
    request: { body: jsonBody(CreateLotBody) },
    responses: { 201: jsonResponse('Created', LotSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden') },
  },
  { access: 'admin' },
);

const updateRoute = defineRoute(
  {
    method: 'patch',
    path: '/parking-lots/{id}',
    tags: ['Parking lots'],
    summary: 'Change a lot (admin)',
    description: 'A larger capacity adds spots; a smaller one removes the spots numbered above it, which must all be free (else 409 `spots_in_use`). Reservations keep the price they were booked at.',
    request: { params: IdParam, body: jsonBody(UpdateLotBody) },
    responses: { 200: jsonResponse('The changed lot', LotSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'not_found', 'spots_in_use') },
  },
  { access: 'admin' },
);

const deleteRoute = defineRoute(
  {
    method: 'delete',
    path: '/parking-lots/{id}',
    tags: ['Parking lots'],
    summary: 'Delete a lot (admin)',
    description: '409 `spots_in_use` while any spot is reserved or occupied. Its past reservations stay in the reports.',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'spots_in_use') },
  },
  { access: 'admin' },
);

const spotsRoute = defineRoute(
  {
    method: 'get',
    path: '/parking-lots/{id}/spots',
    tags: ['Parking lots'],
    summary: 'The spots of a lot and who holds them, a page at a time (admin)',
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse('A page of spots, by number', pageOf(SpotSchema)), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'admin' },
);

export function registerLotRoutes(app: OpenAPIHono<AppEnv>): void {
  registerLiveRoute(app);
  registerOccupancyRoute(app);
  serve(app, listRoute, async (c) => {
    const { search, page } = listQuery(c.req.valid('query'));
    const answer = search ? await searchLots(c.var.deps, search, page) : await listLots(c.var.deps, page);
    return c.json(answer, 200);
  });
  serve(app, getRoute, async (c) => c.json(await getLotWithForecast(c.var.deps, c.req.valid('param').id), 200));
  serve(app, createLotRoute, async (c) => c.json(await createLot(c.var.deps, c.req.valid('json')), 201));
  serve(app, updateRoute, async (c) => c.json(await updateLot(c.var.deps, c.req.valid('param').id, c.req.valid('json')), 200));
  serve(app, deleteRoute, async (c) => {
    await deleteLot(c.var.deps, c.req.valid('param').id);
    return c.body(null, 204);
  });
  serve(app, spotsRoute, async (c) => c.json(await listSpots(c.var.deps, c.req.valid('param').id, c.req.valid('query')), 200));
}
